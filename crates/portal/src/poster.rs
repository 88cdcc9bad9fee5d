//! Printable A4 posters for a venue code: one SVG drawn here, rendered to PNG by resvg and to
//! PDF by svg2pdf, with Noto Sans (which covers Vietnamese) embedded. Black on white, so it
//! prints on any office printer.
//!
//! Layout, in millimetres on a 210 × 297 page: the venue's name large at the top, its address,
//! the QR code 160 mm wide (error correction Q), the two instructions, then the issue date, the
//! key id and the authority in small print.

use std::path::Path;
use std::sync::Arc;

use protocol::VerifiedVenue;

use crate::error::io;
use crate::{Error, Result};

const REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
const FONT: &str = "Noto Sans";

const PAGE_W: f64 = 210.0;
const PAGE_H: f64 = 297.0;
const MARGIN: f64 = 15.0;
/// The QR code's printed side, not counting the white quiet zone around it: more than the 15 cm
/// a poster's code needs to be read from a step away.
pub const QR_MM: f64 = 160.0;
/// The white margin a QR reader needs around the code, in modules.
const QUIET_MODULES: usize = 4;
/// Font sizes (mm) and the most lines at each: large and short first, down to small and long,
/// so the longest name (200 characters) and address (300) still fit above the code.
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
pub const INSTRUCTION_VI: &str = "Quét mã để ghi nhật ký ra vào";
pub const INSTRUCTION_EN: &str = "Scan to keep your visit diary";

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

/// Writes the poster for a verified venue code to `out`, in the format its extension names.
pub fn write(code: &str, venue: &VerifiedVenue, out: &Path) -> Result<()> {
    let format = Format::of(out)?;
    let svg = draw(code, venue)?;
    let bytes = match format {
        Format::Svg => svg.into_bytes(),
        Format::Png => render_png(&svg, 150.0)?,
        Format::Pdf => render_pdf(&svg)?,
    };
    std::fs::write(out, bytes).map_err(io(out))
}

/// The poster as SVG text.
pub fn draw(code: &str, venue: &VerifiedVenue) -> Result<String> {
    let qr = qrcode::QrCode::with_error_correction_level(code, qrcode::EcLevel::Q)
        .map_err(|e| Error::Qr(e.to_string()))?;
    let metrics = Metrics::new();
    let width = PAGE_W - 2.0 * MARGIN;
    let mut body = String::new();
    let mut y = MARGIN + 4.0;

    // The name as large as it fits, then the address.
    let (size, lines) = metrics.fit(&venue.venue.name, NAME_STEPS, width, true)?;
    for line in &lines {
        y += size;
        body += &text(PAGE_W / 2.0, y, size, true, line);
        y += size * 0.25;
    }
    y += 3.0;
    let (address_size, address) = metrics.fit(&venue.venue.address, ADDRESS_STEPS, width, false)?;
    for line in &address {
        y += address_size;
        body += &text(PAGE_W / 2.0, y, address_size, false, line);
        y += address_size * 0.3;
    }

    // The QR code, 160 mm wide, centred; low on the page, where a hand-held phone points, unless
    // the name pushes it down. Its quiet zone is the white page around it.
    let modules = qr.width();
    let module = QR_MM / modules as f64;
    let quiet_mm = QUIET_MODULES as f64 * module;
    // Room below the text for its descenders, then the quiet zone.
    let qr_top = (PAGE_H - MARGIN - 30.0 - QR_MM).max(y + 2.0 + quiet_mm);
    let left = (PAGE_W - QR_MM) / 2.0;
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
    body += &format!(r#"<path d="{path}" fill="black"/>"#);
    // Below the quiet zone: the tallest Vietnamese letters (ể, ậ) reach about the font size above
    // their baseline.
    y = qr_top + QR_MM + quiet_mm + 8.0;
    body += &text(PAGE_W / 2.0, y, 8.0, true, INSTRUCTION_VI);
    y += 7.5;
    body += &text(PAGE_W / 2.0, y, 6.0, false, INSTRUCTION_EN);
    if y + 3.0 > PAGE_H - MARGIN {
        return Err(Error::Poster(
            "the name and address are too long for one A4 page; shorten them".into(),
        ));
    }
    let until = venue
        .valid_until
        .map(|d| format!(" · Có giá trị đến / Valid until {}", d.format("%d/%m/%Y")))
        .unwrap_or_default();
    let small = format!(
        "Ngày cấp / Issued {}{until} · Khoá / Key {} · {}",
        venue.venue.issued.format("%d/%m/%Y"),
        venue.key_id,
        venue.authority
    );
    body += &text(PAGE_W / 2.0, PAGE_H - MARGIN + 4.0, 3.0, false, &small);

    Ok(format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" viewBox="0 0 {PAGE_W} {PAGE_H}"><rect width="{PAGE_W}" height="{PAGE_H}" fill="white"/>{body}</svg>"#
    ))
}

fn text(x: f64, y: f64, size: f64, bold: bool, content: &str) -> String {
    format!(
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT}" font-size="{size}" font-weight="{}" text-anchor="middle" fill="black">{}</text>"#,
        if bold { 700 } else { 400 },
        escape(content)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The characters of `text` the poster's fonts have no glyph for, each once, in order: printed,
/// they would be empty boxes (an emoji, a symbol, a script other than Latin). Spaces are not
/// drawn and do not count.
pub fn undrawable(text: &str) -> Vec<char> {
    static FACES: std::sync::OnceLock<Metrics> = std::sync::OnceLock::new();
    let faces = FACES.get_or_init(Metrics::new);
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let drawn = [&faces.regular, &faces.bold]
            .iter()
            .all(|f| f.glyph_index(c).is_some());
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

/// Advance widths of the embedded fonts, to wrap lines where the renderer will.
struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    fn new() -> Metrics {
        Metrics {
            regular: ttf_parser::Face::parse(REGULAR, 0).expect("the bundled font parses"),
            bold: ttf_parser::Face::parse(BOLD, 0).expect("the bundled font parses"),
        }
    }

    fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        let face = if bold { &self.bold } else { &self.regular };
        let units: u32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(face.units_per_em() / 2) as u32
            })
            .sum();
        units as f64 * size / face.units_per_em() as f64
    }

    /// Greedy word wrap at `size`; a word longer than a line is broken between characters.
    fn wrap(&self, text: &str, size: f64, width: f64, bold: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size, bold) > width {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            if !line.is_empty() {
                lines.push(line);
            }
        }
        lines
    }

    /// The first (size, most lines) in `steps` at which `text` wraps into that many lines.
    fn fit(
        &self,
        text: &str,
        steps: &[(f64, usize)],
        width: f64,
        bold: bool,
    ) -> Result<(f64, Vec<String>)> {
        steps
            .iter()
            .map(|(size, most)| (*size, *most, self.wrap(text, *size, width, bold)))
            .find(|(_, most, lines)| lines.len() <= *most)
            .map(|(size, _, lines)| (size, lines))
            .ok_or_else(|| Error::Poster(format!("{text:?} is too long for the poster")))
    }
}

fn options() -> resvg::usvg::Options<'static> {
    let mut fontdb = resvg::usvg::fontdb::Database::new();
    fontdb.load_font_data(REGULAR.to_vec());
    fontdb.load_font_data(BOLD.to_vec());
    resvg::usvg::Options {
        fontdb: Arc::new(fontdb),
        font_family: FONT.to_owned(),
        ..Default::default()
    }
}

fn tree(svg: &str) -> Result<resvg::usvg::Tree> {
    resvg::usvg::Tree::from_str(svg, &options()).map_err(|e| Error::Poster(e.to_string()))
}

/// The poster as a PNG at `dpi`.
pub fn render_png(svg: &str, dpi: f64) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    // usvg measures the page in CSS pixels (96 per inch).
    let scale = (dpi / 96.0) as f32;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).round() as u32,
        (size.height() * scale).round() as u32,
    );
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| Error::Poster("empty page".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Poster(e.to_string()))
}

/// Several posters as one PDF, one poster a page, each page the poster's own size: for printing
/// a commune's venues at once. Each poster carries its own subset of the font.
pub fn render_pdf_pages(svgs: &[String]) -> Result<Vec<u8>> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref};
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let page_tree = alloc.bump();
    let mut pdf = Pdf::new();
    let mut pages = Vec::with_capacity(svgs.len());
    let mut chunks = Vec::with_capacity(svgs.len());
    for svg in svgs {
        let tree = tree(svg)?;
        let (chunk, drawing) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| Error::Poster(e.to_string()))?;
        let mut renumbered = std::collections::HashMap::new();
        let chunk = chunk.renumber(|old| *renumbered.entry(old).or_insert_with(|| alloc.bump()));
        let drawing = renumbered[&drawing];
        // usvg measures in CSS pixels, 96 per inch; PDF in points, 72 per inch.
        let (w, h) = (tree.size().width() * 0.75, tree.size().height() * 0.75);
        let (page_id, content_id) = (alloc.bump(), alloc.bump());
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(page_tree);
        page.contents(content_id);
        page.resources().x_objects().pair(Name(b"P"), drawing);
        page.finish();
        // The drawing is one point square: scaled to the page.
        let mut content = Content::new();
        content
            .transform([w, 0.0, 0.0, h, 0.0, 0.0])
            .x_object(Name(b"P"));
        pdf.stream(content_id, &content.finish());
        pages.push(page_id);
        chunks.push(chunk);
    }
    pdf.catalog(catalog).pages(page_tree);
    pdf.pages(page_tree)
        .kids(pages.iter().copied())
        .count(pages.len() as i32);
    for chunk in &chunks {
        pdf.extend(chunk);
    }
    Ok(pdf.finish())
}

/// The poster as a one-page PDF with the font embedded, text kept as text.
pub fn render_pdf(svg: &str) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        // usvg measures in CSS pixels, 96 per inch; PDF in points, 72 per inch.
        svg2pdf::PageOptions { dpi: 96.0 },
    )
    .map_err(|e| Error::Poster(e.to_string()))
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
