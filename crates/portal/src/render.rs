//! Drawing pages: SVG written by the portal (posters, the report file) rendered to PNG by resvg
//! and to PDF by svg2pdf, with Noto Sans (which covers Vietnamese) embedded as a subset, and the
//! fonts' advance widths to wrap lines where the renderer will.

use std::sync::Arc;

use crate::{Error, Result};

const REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
pub const FONT: &str = "Noto Sans";

/// `text` as SVG character data or an attribute's value.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Advance widths of the embedded fonts, to wrap lines where the renderer will.
pub struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            regular: ttf_parser::Face::parse(REGULAR, 0).expect("the bundled font parses"),
            bold: ttf_parser::Face::parse(BOLD, 0).expect("the bundled font parses"),
        }
    }

    /// Whether both faces have a glyph for `c`.
    pub fn draws(&self, c: char) -> bool {
        [&self.regular, &self.bold]
            .iter()
            .all(|f| f.glyph_index(c).is_some())
    }

    pub fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
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
    pub fn wrap(&self, text: &str, size: f64, width: f64, bold: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            // No-break spaces hold words together, as they do on the page.
            for word in paragraph
                .split(|c: char| c.is_whitespace() && c != '\u{a0}')
                .filter(|w| !w.is_empty())
            {
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
    pub fn fit(
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
    // Drawings that name a generic family (the report's chart says sans-serif) get the same font.
    fontdb.set_sans_serif_family(FONT);
    fontdb.set_serif_family(FONT);
    resvg::usvg::Options {
        fontdb: Arc::new(fontdb),
        font_family: FONT.to_owned(),
        ..Default::default()
    }
}

pub fn tree(svg: &str) -> Result<resvg::usvg::Tree> {
    resvg::usvg::Tree::from_str(svg, &options()).map_err(|e| Error::Render(e.to_string()))
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
        resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| Error::Render("empty page".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Render(e.to_string()))
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
            .map_err(|e| Error::Render(e.to_string()))?;
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
    .map_err(|e| Error::Render(e.to_string()))
}
