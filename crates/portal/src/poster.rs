//! Printable posters for a venue code, A4, A5 or A6: one SVG drawn here, rendered to PNG by
//! resvg and to PDF by svg2pdf, with Noto Sans (which covers Vietnamese) embedded. Black on
//! white, so it prints on any office printer.
//!
//! Layout, in millimetres on a 210 × 297 page (scaled down for A5 and A6): the department's
//! header (its logo where the settings name one, its name), the venue's name large, its address
//! and its commune and district in words; the QR code 150 to 160 mm wide (error correction Q);
//! three numbered steps in Vietnamese with English below; then where to get the app, the
//! hotline and the issue date in small print. No key id or other jargon: a citizen reads it.

use std::path::Path;

use base64::Engine;
use protocol::VerifiedVenue;

use crate::authority::Settings;
use crate::error::io;
use crate::render::{escape, Metrics, FONT};
pub use crate::render::{render_pdf, render_pdf_pages, render_png};
use crate::units::UnitList;
use crate::{Error, Result};

/// The QR code's printed side on A4 at most, not counting the white quiet zone around it.
pub const QR_MM: f64 = 160.0;
/// The least it may shrink to on A4 to make room for a long name: the 15 cm a poster's code
/// needs to be read from a step away.
pub const QR_MIN_MM: f64 = 150.0;
/// The white margin a QR reader needs around the code, in modules.
const QUIET_MODULES: usize = 4;
/// Font sizes (mm on A4) and the most lines at each: large and short first, down to small and
/// long, so the longest name (200 characters) and address (300) still fit above the code.
const NAME_STEPS: &[(f64, usize)] = &[
    (13.0, 2),
    (11.0, 3),
    (9.5, 3),
    (8.0, 3),
    (7.0, 4),
    (6.0, 4),
    (5.0, 5),
];
const ADDRESS_STEPS: &[(f64, usize)] = &[(5.0, 2), (4.5, 3), (4.0, 3), (3.5, 4), (3.0, 5)];
/// What a citizen does, in the app's own words ("Ghi nhận" is its button).
pub const STEPS: [(&str, &str); 3] = [
    ("Mở ứng dụng Nhật ký ra vào", "Open the Visit Diary app"),
    ("Quét mã QR này", "Scan this QR code"),
    ("Bấm Ghi nhận", "Tap Check in"),
];

/// The file kinds a poster can be written as, chosen by the output's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Png,
    Svg,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("pdf") => Ok(Format::Pdf),
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(Error::PosterFormat(path.to_owned())),
        }
    }
}

/// A poster's paper size: A4 for a door, A5 and A6 for a counter or a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Size {
    #[default]
    A4,
    A5,
    A6,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::A4, Size::A5, Size::A6];

    pub fn parse(text: &str) -> Option<Size> {
        Size::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Size::A4 => "A4",
            Size::A5 => "A5",
            Size::A6 => "A6",
        }
    }

    /// Width and height in mm.
    fn page(self) -> (f64, f64) {
        match self {
            Size::A4 => (210.0, 297.0),
            Size::A5 => (148.0, 210.0),
            Size::A6 => (105.0, 148.0),
        }
    }
}

/// What a poster prints besides the venue code: who issues it, where the venue is in words, how
/// to get the app and whom to call.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub department: String,
    /// The venue's commune and the units above it ("Phường Thục Phán, Tỉnh Cao Bằng"); empty
    /// when the list in use does not know the code.
    pub place: String,
    pub get_the_app: Option<String>,
    pub hotline: Option<String>,
    /// The venue's short code (`protocol::venue_short`), for a person whose phone will not scan
    /// the QR code to type; `None` for a code not in the registry (`portal venue-code make`).
    pub short_code: Option<String>,
    /// The department's logo as an SVG `data:` URL.
    pub logo: Option<String>,
    pub size: Size,
}

impl Details {
    /// The details for a venue in `unit`, from the department's settings, with its `logo` as
    /// [`logo`] read it.
    pub fn new(
        settings: &Settings,
        logo: Option<String>,
        units: &UnitList,
        unit: u32,
        size: Size,
    ) -> Details {
        let place = match units.commune(unit) {
            Some(_) => format!("{}, {}", units.label(unit), units.province_name),
            None => String::new(),
        };
        let dept = &settings.department;
        Details {
            department: settings.name.clone(),
            place,
            get_the_app: dept.get_the_app.clone(),
            hotline: dept.hotline.clone(),
            short_code: None,
            logo,
            size,
        }
    }
}

/// The department's logo, where the settings name one, as a `data:` URL the poster embeds: read
/// from `data_dir` and checked once (`serve` refuses to start with a logo it cannot draw).
pub fn logo(settings: &Settings, data_dir: &Path) -> Result<Option<String>> {
    settings
        .department
        .logo
        .as_ref()
        .map(|logo| logo_url(&data_dir.join(logo)))
        .transpose()
}

/// An SVG logo as a `data:` URL; anything else is refused with the reason.
fn logo_url(path: &Path) -> Result<String> {
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !is_svg {
        return Err(Error::Poster(format!(
            "the logo {} in authority.json must be an SVG file",
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    if resvg::usvg::Tree::from_data(&bytes, &resvg::usvg::Options::default()).is_err() {
        return Err(Error::Poster(format!(
            "the logo {} in authority.json is not an SVG image that can be drawn",
            path.display()
        )));
    }
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// Writes the poster for a verified venue code to `out`, in the format its extension names.
pub fn write(code: &str, venue: &VerifiedVenue, details: &Details, out: &Path) -> Result<()> {
    let format = Format::of(out)?;
    let svg = draw(code, venue, details)?;
    let bytes = match format {
        Format::Svg => svg.into_bytes(),
        Format::Png => render_png(&svg, 150.0)?,
        Format::Pdf => render_pdf(&svg)?,
    };
    std::fs::write(out, bytes).map_err(io(out))
}

/// Text placed on a poster, at a scale: sizes are given as on A4.
struct Sheet {
    m: Metrics,
    k: f64,
    width: f64,
    height: f64,
    margin: f64,
    body: String,
}

impl Sheet {
    fn centre(&self) -> f64 {
        self.width / 2.0
    }

    /// Lines of `words` centred on `x`, `width` wide at most, at the first of `steps` they fit,
    /// from `y` down; the new `y`.
    fn block(
        &mut self,
        words: &str,
        steps: &[(f64, usize)],
        (x, width): (f64, f64),
        bold: bool,
        y: f64,
    ) -> Result<f64> {
        let scaled: Vec<(f64, usize)> = steps.iter().map(|(s, n)| (s * self.k, *n)).collect();
        let (size, lines) = self.m.fit(words, &scaled, width, bold)?;
        let mut y = y;
        for line in &lines {
            y += size;
            self.body += &text(x, y, size, bold, line);
            y += size * 0.28;
        }
        Ok(y)
    }
}

/// The poster as SVG text.
pub fn draw(code: &str, venue: &VerifiedVenue, details: &Details) -> Result<String> {
    // The short code large under the steps where the page leaves the QR code its smallest size
    // or more; on a small page with a long address, in one line of the small print; where even
    // that does not fit, left off (the venue's page in the portal still shows it) rather than no
    // poster.
    let styles: &[Short] = match details.short_code {
        Some(_) => &[Short::Large, Short::Line, Short::Off],
        None => &[Short::Off],
    };
    let mut refused = None;
    for style in styles {
        match draw_as(code, venue, details, *style) {
            Err(e @ Error::Poster(_)) => refused = Some(e),
            drawn => return drawn,
        }
    }
    Err(refused.expect("at least one style"))
}

/// How a poster prints the venue's short code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Short {
    /// Large, under the steps, with a line saying what it is for.
    Large,
    /// In bold in the small print.
    Line,
    Off,
}

fn draw_as(code: &str, venue: &VerifiedVenue, details: &Details, short: Short) -> Result<String> {
    let qr = qrcode::QrCode::with_error_correction_level(code, qrcode::EcLevel::Q)
        .map_err(|e| Error::Qr(e.to_string()))?;
    let (page_w, page_h) = details.size.page();
    let k = page_w / 210.0;
    let mut s = Sheet {
        m: Metrics::new(),
        k,
        width: page_w,
        height: page_h,
        margin: 10.0 * k,
        body: String::new(),
    };
    let full = (s.margin, page_w - 2.0 * s.margin);
    let mut y = s.margin;

    // The department's header: its logo on the left where there is one, its name, a rule.
    let logo_side = 16.0 * k;
    let header = if let Some(logo) = &details.logo {
        s.body += &format!(
            r#"<image x="{:.2}" y="{y:.2}" width="{logo_side:.2}" height="{logo_side:.2}" href="{logo}"/>"#,
            s.margin
        );
        let left = s.margin + logo_side + 3.0 * k;
        (left, page_w - s.margin - left)
    } else {
        full
    };
    let header_x = header.0 + header.1 / 2.0;
    let after = s.block(
        &details.department,
        &[(5.5, 1), (4.5, 2), (3.5, 2)],
        (header_x, header.1),
        true,
        y,
    )?;
    y = after.max(if details.logo.is_some() {
        y + logo_side
    } else {
        0.0
    }) + 2.0 * k;
    s.body += &format!(
        r#"<line x1="{:.2}" y1="{y:.2}" x2="{:.2}" y2="{y:.2}" stroke="black" stroke-width="{:.2}"/>"#,
        s.margin,
        page_w - s.margin,
        0.4 * k
    );
    y += 3.0 * k;

    // The venue: its name as large as it fits, its address, its commune and district in words.
    y = s.block(&venue.venue.name, NAME_STEPS, (s.centre(), full.1), true, y)?;
    y += 1.5 * k;
    y = s.block(
        &venue.venue.address,
        ADDRESS_STEPS,
        (s.centre(), full.1),
        false,
        y,
    )?;
    if !details.place.is_empty() && !says_where(&venue.venue.address, &details.place) {
        y = s.block(
            &details.place,
            &[(4.0, 2), (3.2, 3)],
            (s.centre(), full.1),
            false,
            y,
        )?;
    }

    // From the bottom up: the small print, then the three steps.
    let small = (3.0 * k).max(2.1);
    let mut footer = Vec::new();
    let short_code = details
        .short_code
        .as_deref()
        .filter(|_| short != Short::Off);
    if let (Some(code), Short::Line) = (short_code, short) {
        footer.push((format!("Nhập mã / Type the code: {code}"), true));
    }
    let mut reach = Vec::new();
    if let Some(app) = &details.get_the_app {
        reach.push(format!("Tải ứng dụng / Get the app: {app}"));
    }
    if let Some(hotline) = &details.hotline {
        reach.push(format!("Đường dây nóng / Hotline: {hotline}"));
    }
    if !reach.is_empty() {
        footer.push((reach.join("  ·  "), true));
    }
    let until = venue
        .valid_until
        .map(|d| format!(" · Có giá trị đến / Valid until {}", d.format("%d/%m/%Y")))
        .unwrap_or_default();
    footer.push((
        format!(
            "Ngày cấp / Issued {}{until}",
            venue.venue.issued.format("%d/%m/%Y")
        ),
        false,
    ));
    let footer_lines: Vec<(String, bool)> = footer
        .iter()
        .flat_map(|(words, bold)| {
            s.m.wrap(words, small, full.1, *bold)
                .into_iter()
                .map(move |l| (l, *bold))
        })
        .collect();
    let mut bottom = page_h - s.margin - footer_lines.len() as f64 * small * 1.3;
    let mut fy = bottom;
    for (line, bold) in &footer_lines {
        fy += small;
        s.body += &text(s.centre(), fy, small, *bold, line);
        fy += small * 0.3;
    }
    bottom -= 3.0 * k;
    // The short code, large, under the steps' QR code: for a phone that will not scan it.
    if let (Some(code), Short::Large) = (short_code, short) {
        let (code_size, label_size) = (8.0 * k, (3.5 * k).max(2.1));
        s.body += &text(s.centre(), bottom, code_size, true, code);
        bottom -= code_size * 1.25;
        // The longer words where they fit on one line of the page, else the shorter.
        let label = [
            "Không quét được? Nhập mã này vào ứng dụng / Cannot scan? Type this code in the app",
            "Không quét được? Nhập mã này / Cannot scan? Type this code",
        ]
        .into_iter()
        .find(|l| s.m.wrap(l, label_size, full.1, false).len() == 1)
        .unwrap_or("Nhập mã / Type the code");
        s.body += &text(s.centre(), bottom, label_size, false, label);
        bottom -= label_size + 4.0 * k;
    }
    let steps_top = steps(&mut s, bottom)?;

    // The QR code, as large as the room left allows between 150 and 160 mm on A4; its quiet
    // zone is the white page around it.
    let modules = qr.width();
    let quiet = 2.0 * QUIET_MODULES as f64 / modules as f64;
    let room = steps_top - y - 2.0 * k;
    let side = (room / (1.0 + quiet)).min(QR_MM * k);
    if side < QR_MIN_MM * k {
        return Err(Error::Poster(format!(
            "the name and address are too long for one {} page; shorten them",
            details.size.as_str()
        )));
    }
    let module = side / modules as f64;
    let qr_top = y + 1.0 * k + (room - side * (1.0 + quiet)) / 2.0 + QUIET_MODULES as f64 * module;
    let left = (page_w - side) / 2.0;
    let mut path = String::new();
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (row, col) = (i / modules, i % modules);
            path += &format!(
                "M{:.3} {:.3}h{m:.3}v{m:.3}h-{m:.3}z",
                left + col as f64 * module,
                qr_top + row as f64 * module,
                m = module
            );
        }
    }
    s.body += &format!(r#"<path d="{path}" fill="black"/>"#);

    Ok(format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="white"/>{body}</svg>"#,
        w = s.width,
        h = s.height,
        body = s.body
    ))
}

/// Whether an address already names the place's commune and district (all but its last part,
/// the province), accents and case aside: then the poster does not say them twice.
fn says_where(address: &str, place: &str) -> bool {
    let address = protocol::text::fold(address);
    let parts: Vec<&str> = place.split(", ").collect();
    parts[..parts.len().saturating_sub(1)]
        .iter()
        .all(|part| address.contains(&protocol::text::fold(part)))
}

/// The three numbered steps side by side, ending at `bottom`; where they start.
fn steps(s: &mut Sheet, bottom: f64) -> Result<f64> {
    let k = s.k;
    let gap = 4.0 * k;
    let column = (s.width - 2.0 * s.margin - 2.0 * gap) / 3.0;
    // Large enough on A4 to read from a step away; never below 7 and 6 points on A6.
    let (vi, en) = ((5.0 * k).max(2.6), (3.8 * k).max(2.1));
    let wrapped: Vec<(Vec<String>, Vec<String>)> = STEPS
        .iter()
        .map(|(v, e)| {
            (
                s.m.wrap(v, vi, column, true),
                s.m.wrap(e, en, column, false),
            )
        })
        .collect();
    let most_vi = wrapped.iter().map(|(v, _)| v.len()).max().unwrap_or(1) as f64;
    let most_en = wrapped.iter().map(|(_, e)| e.len()).max().unwrap_or(1) as f64;
    let radius = 4.0 * k;
    let height = 2.0 * radius + 2.0 * k + most_vi * vi * 1.25 + most_en * en * 1.25;
    let top = bottom - height;
    for (i, (v, e)) in wrapped.iter().enumerate() {
        let x = s.margin + i as f64 * (column + gap) + column / 2.0;
        s.body += &format!(
            r#"<circle cx="{x:.2}" cy="{:.2}" r="{radius:.2}" fill="black"/>"#,
            top + radius
        );
        s.body += &format!(
            r#"<text x="{x:.2}" y="{:.2}" font-family="{FONT}" font-size="{:.2}" font-weight="700" text-anchor="middle" fill="white">{}</text>"#,
            top + radius * 1.42,
            radius * 1.2,
            i + 1
        );
        let mut y = top + 2.0 * radius + 2.0 * k;
        for line in v {
            y += vi;
            s.body += &text(x, y, vi, true, line);
            y += vi * 0.25;
        }
        y = top + 2.0 * radius + 2.0 * k + most_vi * vi * 1.25;
        for line in e {
            y += en;
            s.body += &text(x, y, en, false, line);
            y += en * 0.25;
        }
    }
    Ok(top)
}

fn text(x: f64, y: f64, size: f64, bold: bool, content: &str) -> String {
    format!(
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT}" font-size="{size:.2}" font-weight="{}" text-anchor="middle" fill="black">{}</text>"#,
        if bold { 700 } else { 400 },
        escape(content)
    )
}

/// The characters of `text` the poster's fonts have no glyph for, each once, in order: printed,
/// they would be empty boxes (an emoji, a symbol, a script other than Latin). Spaces are not
/// drawn and do not count.
pub fn undrawable(text: &str) -> Vec<char> {
    static FACES: std::sync::OnceLock<Metrics> = std::sync::OnceLock::new();
    let faces = FACES.get_or_init(Metrics::new);
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let drawn = faces.draws(c);
        if !drawn && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// Characters as a message can name them: a visible one as itself, one that shows nothing (a
/// variation selector a phone keyboard adds after an emoji, a joiner, a control or combining
/// character) by its code point, `U+FE0F`.
pub fn named(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| {
            let invisible = c.is_control()
                || unicode_normalization::char::is_combining_mark(*c)
                || ('\u{fe00}'..='\u{fe0f}').contains(c)
                || ('\u{200b}'..='\u{200f}').contains(c)
                || ('\u{2060}'..='\u{206f}').contains(c);
            if invisible {
                format!("U+{:04X}", *c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A poster's file name from its venue's name: `cho-trung-tam-trung-khanh.pdf` for "Chợ Trung
/// tâm Trùng Khánh", letters without accents, anything else a hyphen; `poster` when nothing is
/// left.
pub fn file_name(venue_name: &str, extension: &str) -> String {
    let folded = protocol::text::fold(venue_name);
    let mut slug = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(80).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("poster.{extension}")
    } else {
        format!("{slug}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posters_are_named_after_their_venue() {
        assert_eq!(
            file_name("Chợ Trung tâm Trùng Khánh", "pdf"),
            "cho-trung-tam-trung-khanh.pdf"
        );
        assert_eq!(
            file_name("  Đình làng «Đề Thám» / Tổ 5  ", "png"),
            "dinh-lang-de-tham-to-5.png"
        );
        assert_eq!(file_name("🍜🍜", "svg"), "poster.svg");
        assert_eq!(
            file_name(&"a".repeat(200), "pdf"),
            format!("{}.pdf", "a".repeat(80))
        );
    }

    #[test]
    fn what_the_font_cannot_draw_is_named_once() {
        assert!(undrawable("Ủy ban nhân dân Phường Thục Phán – số 5, «Tổ 2»").is_empty());
        assert_eq!(undrawable("Phở 🍜 và 🍜 ☎"), ['🍜', '☎']);
        assert_eq!(undrawable("漢字"), ['漢', '字']);
        // What shows nothing is named by its code point, not left blank in the message.
        assert_eq!(named(&undrawable("Quán ©\u{fe0f} 🍜")), "U+FE0F 🍜");
    }
}
