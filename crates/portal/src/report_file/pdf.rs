//! The report as PDF: laid out here as A4 SVG pages (margins as in the DOCX, page numbers at the
//! top from the second page as Decree 30 asks) and converted with the posters' renderer, so the
//! text stays text. Set in Noto Sans, the font the portal embeds; the DOCX is the copy in Times
//! New Roman that an office signs.

use super::{Block, Document, Table};
use crate::render::{escape, render_pdf_pages, Metrics, FONT};
use crate::Result;

const PAGE_W: f64 = 210.0;
const PAGE_H: f64 = 297.0;
const LEFT: f64 = 30.0;
const WIDTH: f64 = 160.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = PAGE_H - 20.0;
/// Space between a table cell's border and its text, in mm.
const PAD: f64 = 1.2;

/// Points to millimetres.
fn pt(points: f64) -> f64 {
    points * 25.4 / 72.0
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Centre,
    Right,
}

#[derive(Clone, Copy)]
struct Style {
    size: f64,
    bold: bool,
    italic: bool,
}

const fn style(points: f64, bold: bool, italic: bool) -> Style {
    Style {
        size: points * 25.4 / 72.0,
        bold,
        italic,
    }
}

const BODY: Style = style(13.0, false, false);
const CELL: Style = style(10.5, false, false);

struct Pages {
    m: Metrics,
    done: Vec<String>,
    body: String,
    /// Where the next line's top is, in mm from the page's top.
    y: f64,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            m: Metrics::new(),
            done: Vec::new(),
            body: String::new(),
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.body));
        self.y = TOP;
        let number = (self.done.len() + 1).to_string();
        self.text(
            PAGE_W / 2.0,
            TOP - 6.0,
            style(11.0, false, false),
            Align::Centre,
            &number,
        );
    }

    /// Starts a new page unless `height` mm fit on this one.
    fn room(&mut self, height: f64) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    /// One line of text with its baseline at `y`.
    fn text(&mut self, x: f64, y: f64, s: Style, align: Align, words: &str) {
        let anchor = match align {
            Align::Left => "start",
            Align::Centre => "middle",
            Align::Right => "end",
        };
        self.body += &format!(
            r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT}" font-size="{:.3}" font-weight="{}" font-style="{}" text-anchor="{anchor}">{}</text>"#,
            s.size,
            if s.bold { 700 } else { 400 },
            if s.italic { "italic" } else { "normal" },
            escape(words)
        );
    }

    fn wrap(&self, words: &str, s: Style, width: f64) -> Vec<String> {
        self.m.wrap(words, s.size, width, s.bold)
    }

    /// Lines of `words` in a column `width` mm wide starting at `x`, from `self.y` down.
    fn lines(&mut self, x: f64, width: f64, s: Style, align: Align, words: &str) {
        let at = match align {
            Align::Left => x,
            Align::Centre => x + width / 2.0,
            Align::Right => x + width,
        };
        for line in self.wrap(words, s, width) {
            self.room(s.size * 1.4);
            self.y += s.size * 1.1;
            let y = self.y;
            self.text(at, y, s, align, &line);
            self.y += s.size * 0.3;
        }
    }

    fn rule(&mut self, centre: f64, half: f64) {
        self.y += 1.0;
        self.body += &format!(
            r#"<line x1="{:.2}" y1="{y:.2}" x2="{:.2}" y2="{y:.2}" stroke="black" stroke-width="0.25"/>"#,
            centre - half,
            centre + half,
            y = self.y
        );
        self.y += 1.5;
    }

    fn table(&mut self, t: &Table) {
        let sum: u32 = t.widths.iter().sum();
        let widths: Vec<f64> = t
            .widths
            .iter()
            .map(|w| *w as f64 * WIDTH / sum as f64)
            .collect();
        let header_style = Style { bold: true, ..CELL };
        self.row(
            &t.header,
            &widths,
            &vec![false; widths.len()],
            header_style,
            true,
        );
        for r in &t.rows {
            if self.row_height(r, &widths, CELL) + self.y > BOTTOM {
                self.new_page();
                self.row(
                    &t.header,
                    &widths,
                    &vec![false; widths.len()],
                    header_style,
                    true,
                );
            }
            self.row(r, &widths, &t.numeric, CELL, false);
        }
        if let Some(total) = &t.total {
            self.room(self.row_height(total, &widths, header_style));
            self.row(total, &widths, &t.numeric, header_style, false);
        }
        self.y += 3.0;
    }

    fn row_height(&self, cells: &[String], widths: &[f64], s: Style) -> f64 {
        let most = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| self.wrap(c, s, w - 2.0 * PAD).len().max(1))
            .max()
            .unwrap_or(1);
        most as f64 * s.size * 1.4 + 2.0 * PAD
    }

    fn row(&mut self, cells: &[String], widths: &[f64], numeric: &[bool], s: Style, header: bool) {
        let height = self.row_height(cells, widths, s);
        self.room(height);
        let top = self.y;
        let mut x = LEFT;
        for ((c, w), n) in cells.iter().zip(widths).zip(numeric) {
            self.body += &format!(
                r#"<rect x="{x:.2}" y="{top:.2}" width="{w:.2}" height="{height:.2}" fill="none" stroke="black" stroke-width="0.2"/>"#
            );
            let align = match (header, n) {
                (true, _) => Align::Centre,
                (false, true) => Align::Right,
                (false, false) => Align::Left,
            };
            self.y = top + PAD;
            self.lines(x + PAD, w - 2.0 * PAD, s, align, c);
            x += w;
        }
        self.y = top + height;
    }

    fn chart(&mut self, svg: &str, caption: &str) {
        let (w, h) = (150.0, 90.0);
        self.room(h + 10.0);
        let placed = svg.replacen(
            "<svg ",
            &format!(
                r#"<svg x="{:.2}" y="{:.2}" width="{w}" height="{h}" "#,
                LEFT + (WIDTH - w) / 2.0,
                self.y
            ),
            1,
        );
        self.body += &placed;
        self.y += h + 1.0;
        self.lines(
            LEFT,
            WIDTH,
            style(11.0, false, true),
            Align::Centre,
            caption,
        );
        self.y += 2.0;
    }

    fn finish(mut self) -> Vec<String> {
        self.done.push(self.body);
        self.done
            .into_iter()
            .map(|body| {
                format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" viewBox="0 0 {PAGE_W} {PAGE_H}"><rect width="{PAGE_W}" height="{PAGE_H}" fill="white"/>{body}</svg>"#
                )
            })
            .collect()
    }
}

/// The letterhead: the issuing body on the left (64 mm), the motto on the right.
fn letterhead(p: &mut Pages, d: &Document) {
    let (left_w, right_w) = (64.0, WIDTH - 64.0);
    let top = p.y;
    p.lines(
        LEFT,
        left_w,
        style(12.0, false, false),
        Align::Centre,
        &d.parent,
    );
    p.lines(
        LEFT,
        left_w,
        style(12.0, true, false),
        Align::Centre,
        &d.issuer,
    );
    p.rule(LEFT + left_w / 2.0, 10.0);
    p.lines(
        LEFT,
        left_w,
        style(12.0, false, false),
        Align::Centre,
        &d.number,
    );
    let left_end = p.y;
    p.y = top;
    let right = LEFT + left_w;
    p.lines(
        right,
        right_w,
        style(11.5, true, false),
        Align::Centre,
        &d.motto[0],
    );
    p.lines(
        right,
        right_w,
        style(12.5, true, false),
        Align::Centre,
        &d.motto[1],
    );
    let half = p.m.width(&d.motto[1], pt(12.5), true) / 2.0;
    p.rule(right + right_w / 2.0, half);
    p.lines(
        right,
        right_w,
        style(12.5, false, true),
        Align::Centre,
        &d.place_date,
    );
    p.y = p.y.max(left_end) + 6.0;
}

fn signature(p: &mut Pages, d: &Document) {
    let left_w = 75.0;
    p.room(45.0);
    let top = p.y;
    p.lines(
        LEFT,
        left_w,
        style(11.5, true, true),
        Align::Left,
        "Nơi nhận:",
    );
    for r in &d.recipients {
        p.lines(LEFT, left_w, style(10.5, false, false), Align::Left, r);
    }
    let left_end = p.y;
    p.y = top;
    for line in &d.signer {
        p.lines(
            LEFT + left_w,
            WIDTH - left_w,
            style(13.0, true, false),
            Align::Centre,
            line,
        );
    }
    p.y = p.y.max(left_end) + 25.0;
}

/// The report as a PDF file.
pub fn write(d: &Document) -> Result<Vec<u8>> {
    let mut p = Pages::new();
    letterhead(&mut p, d);
    p.lines(
        LEFT,
        WIDTH,
        style(14.0, true, false),
        Align::Centre,
        &d.title,
    );
    p.lines(
        LEFT,
        WIDTH,
        style(13.0, true, false),
        Align::Centre,
        &d.subject,
    );
    p.lines(
        LEFT,
        WIDTH,
        style(13.0, false, true),
        Align::Centre,
        &d.as_of,
    );
    p.y += 1.5;
    p.rule(PAGE_W / 2.0 + 5.0, 15.0);
    p.y += 3.0;
    for block in &d.body {
        match block {
            Block::Heading(h) => {
                p.y += 2.0;
                p.room(25.0);
                p.lines(LEFT, WIDTH, Style { bold: true, ..BODY }, Align::Left, h);
            }
            Block::Text(t) => {
                p.lines(LEFT, WIDTH, BODY, Align::Left, t);
                p.y += 1.5;
            }
            Block::Table(t) => p.table(t),
            Block::Chart { svg, caption } => p.chart(svg, caption),
        }
    }
    p.y += 4.0;
    signature(&mut p, d);
    p.new_page();
    let mut title = d.appendix_title.lines();
    let heading = title.next().unwrap_or_default().to_owned();
    p.lines(
        LEFT,
        WIDTH,
        style(14.0, true, false),
        Align::Centre,
        &heading,
    );
    let rest = title.collect::<Vec<_>>().join(" ");
    p.lines(LEFT, WIDTH, style(13.0, false, true), Align::Centre, &rest);
    p.y += 4.0;
    p.table(&d.appendix);
    render_pdf_pages(&p.finish())
}
