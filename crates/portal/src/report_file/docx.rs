//! The report as DOCX (docx-rs), set as Decree 30 asks: A4, margins 20 mm top and bottom, 30 mm
//! left, 20 mm right, Times New Roman 14 pt for the text, the letterhead and the motto side by
//! side above the title, the signature block beside "Nơi nhận".

use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, PageMargin, Paragraph, Pic, Run, RunFonts,
    SpecialIndentType, Table as DocxTable, TableAlignmentType, TableCell, TableRow, VAlignType,
    WidthType,
};

use super::{Block, Document, Table};
use crate::render::render_png;
use crate::{Error, Result};

const FONT: &str = "Times New Roman";
/// The text block's width in twentieths of a point: 210 mm less 50 mm of margins.
const TEXT_WIDTH: usize = 9071;
/// The chart's width and height on the page, in EMU (914 400 an inch): 15 × 9 cm.
const CHART_EMU: (u32, u32) = (5_400_000, 3_240_000);

/// A run of `text` at `size` points.
fn run(text: &str, size: usize) -> Run {
    let mut run = Run::new().size(size * 2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn centred(run: Run) -> Paragraph {
    Paragraph::new().add_run(run).align(AlignmentType::Center)
}

/// A paragraph of running text: justified, its first line indented 1 cm.
fn text(words: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(words, 14))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None)
        .line_spacing(LineSpacing::new().before(60).after(60))
}

/// The letterhead: the issuing body and number on the left, the motto and the date on the right,
/// in a table without borders.
fn letterhead(d: &Document) -> DocxTable {
    let left = TableCell::new()
        .width(3600, WidthType::Dxa)
        .add_paragraph(centred(run(&d.parent, 13)))
        .add_paragraph(centred(run(&d.issuer, 13).bold()))
        .add_paragraph(centred(run("────────", 13)))
        .add_paragraph(centred(run(&d.number, 13)));
    let right = TableCell::new()
        .width(TEXT_WIDTH - 3600, WidthType::Dxa)
        .add_paragraph(centred(run(&d.motto[0], 12).bold()))
        .add_paragraph(centred(run(&d.motto[1], 13).bold()))
        .add_paragraph(centred(run("────────────────", 13)))
        .add_paragraph(centred(run(&d.place_date, 14).italic()));
    DocxTable::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![3600, TEXT_WIDTH - 3600])
        .width(TEXT_WIDTH, WidthType::Dxa)
}

fn cell(text: &str, width: usize, numeric: bool, bold: bool) -> TableCell {
    let mut r = run(text, 12);
    if bold {
        r = r.bold();
    }
    let align = if numeric {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    };
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(Paragraph::new().add_run(r).align(align))
}

fn table(t: &Table) -> DocxTable {
    let sum: u32 = t.widths.iter().sum();
    let widths: Vec<usize> = t
        .widths
        .iter()
        .map(|w| (*w as usize * TEXT_WIDTH) / sum as usize)
        .collect();
    let header = TableRow::new(
        t.header
            .iter()
            .zip(&widths)
            .map(|(h, w)| {
                TableCell::new()
                    .width(*w, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(centred(run(h, 12).bold()))
            })
            .collect(),
    );
    let row = |cells: &[String], bold: bool| {
        TableRow::new(
            cells
                .iter()
                .zip(&widths)
                .zip(&t.numeric)
                .map(|((c, w), n)| cell(c, *w, *n, bold))
                .collect(),
        )
    };
    let mut rows = vec![header];
    rows.extend(t.rows.iter().map(|r| row(r, false)));
    rows.extend(t.total.iter().map(|r| row(r, true)));
    DocxTable::new(rows)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .align(TableAlignmentType::Center)
}

/// The bottom block: "Nơi nhận" on the left, the signer on the right with room to sign.
fn signature(d: &Document) -> DocxTable {
    let mut left = TableCell::new()
        .width(4300, WidthType::Dxa)
        .add_paragraph(Paragraph::new().add_run(run("Nơi nhận:", 12).bold().italic()));
    for r in &d.recipients {
        left = left.add_paragraph(Paragraph::new().add_run(run(r, 11)));
    }
    let mut right = TableCell::new().width(TEXT_WIDTH - 4300, WidthType::Dxa);
    for line in &d.signer {
        right = right.add_paragraph(centred(run(line, 14).bold()));
    }
    for _ in 0..4 {
        right = right.add_paragraph(centred(run("", 14)));
    }
    DocxTable::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![4300, TEXT_WIDTH - 4300])
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// The report as a DOCX file; `created` (RFC 3339) is written as its creation time.
pub fn write(d: &Document, created: &str) -> Result<Vec<u8>> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(1134)
                .bottom(1134)
                .left(1701)
                .right(1134)
                .header(567)
                .footer(567),
        )
        .default_fonts(fonts)
        .default_size(28)
        .created_at(created)
        .updated_at(created)
        .add_table(letterhead(d))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(run(&d.title, 14).bold()))
        .add_paragraph(centred(run(&d.subject, 14).bold()))
        .add_paragraph(centred(run(&d.as_of, 14).italic()))
        .add_paragraph(centred(run("──────────", 14)));
    for block in &d.body {
        doc = match block {
            Block::Heading(h) => doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(h, 14).bold())
                    .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None)
                    .line_spacing(LineSpacing::new().before(120).after(60))
                    .keep_next(true),
            ),
            Block::Text(t) => doc.add_paragraph(text(t)),
            Block::Table(t) => doc.add_table(table(t)).add_paragraph(Paragraph::new()),
            Block::Chart { svg, caption } => {
                // Drawn at 192 dpi, twice the screen's, so that it prints sharp.
                let png = render_png(svg, 192.0)?;
                let (w, h) = png_size(&png)?;
                let pic = Pic::new_with_dimensions(png, w, h).size(CHART_EMU.0, CHART_EMU.1);
                doc.add_paragraph(centred(Run::new().add_image(pic)).keep_next(true))
                    .add_paragraph(centred(run(caption, 12).italic()))
            }
        };
    }
    doc = doc.add_paragraph(Paragraph::new()).add_table(signature(d));
    let mut title = d.appendix_title.lines();
    doc = doc
        .add_paragraph(
            centred(run(title.next().unwrap_or_default(), 14).bold()).page_break_before(true),
        )
        .add_paragraph(centred(
            run(&title.collect::<Vec<_>>().join(" "), 14).italic(),
        ))
        .add_paragraph(Paragraph::new())
        .add_table(table(&d.appendix));
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::Render(e.to_string()))?;
    Ok(out.into_inner())
}

/// A PNG's width and height in pixels, from its header.
fn png_size(png: &[u8]) -> Result<(u32, u32)> {
    let at =
        |i: usize| -> Option<u32> { Some(u32::from_be_bytes(png.get(i..i + 4)?.try_into().ok()?)) };
    at(16)
        .zip(at(20))
        .ok_or_else(|| Error::Render("the chart is not a PNG".into()))
}
