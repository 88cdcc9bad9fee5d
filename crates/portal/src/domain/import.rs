//! Importing venues from a CSV file: reading the file as a spreadsheet saves it (columns named
//! in Vietnamese or English, commas or semicolons, rows numbered as the spreadsheet shows them),
//! checking every row, and the example file offered for download.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use protocol::Sector;

use super::venues::{sector_label, validate, ValidVenue, VenueInput};
use super::Problem;
use crate::authority::Authority;
use crate::i18n::{Lang, Tr};
use crate::text::fold;
use crate::units::UnitList;

/// The most rows one CSV file may hold.
pub const MAX_IMPORT_ROWS: usize = 50_000;

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

/// One row's problem: which row (1 is the header), which column, what, and the value the file
/// has there (as the file has it, for the registrar to find).
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: usize,
    pub problem: Problem,
    pub value: String,
}

/// An example file with the column names in the reader's language and a commune of the
/// portal's own list (with its district, in the 2021 list), so that the file imports as it is.
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
    // The sector as the reader names it, which the import reads back.
    let sector = sector_label(&Tr::new(lang), Sector::RestaurantCafe.as_str());
    let row = [
        "Quán Cô Ba",
        address.as_str(),
        district.map(|d| d.name.as_str()).unwrap_or(""),
        commune.name.as_str(),
        sector.as_str(),
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
    // A byte-order mark first: Excel then opens the Vietnamese text as UTF-8.
    let body = String::from_utf8(out.into_inner().expect("writing to memory"))
        .expect("UTF-8 in, UTF-8 out");
    format!("\u{feff}{body}")
}

/// The rows of a CSV file as venue inputs with their row number as a spreadsheet shows it (the
/// header is row 1; blank lines count, line breaks inside quoted cells do not; see
/// [`SpreadsheetRows`]), or the message id of why the file cannot be read.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<(usize, VenueInput)>, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "import-not-utf8")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("import-empty");
    }
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
                // A file registers no co-signing venue: each needs its owner sheet handed over.
                owner_cosigns: String::new(),
            },
        ));
    }
    if rows.is_empty() {
        return Err("import-no-rows");
    }
    Ok(rows)
}

/// Checks one imported row on `today`: its sector may be named as a spreadsheet names it.
pub fn check_row(
    mut input: VenueInput,
    units: &UnitList,
    authority: &Authority,
    today: NaiveDate,
) -> Result<ValidVenue, Vec<Problem>> {
    input.sector = sector_named(&input.sector);
    validate(&input, units, authority, today)
}

/// Checks every row of a file, counting each in `checked` as it goes (the progress page reads
/// it). A row naming a venue already registered (`existing`: commune, folded name, folded
/// address) or one of the file's earlier rows is a duplicate. Either every row is valid, or
/// every problem is returned.
pub fn check_all(
    rows: Vec<(usize, VenueInput)>,
    mut existing: HashSet<(u32, String, String)>,
    units: &UnitList,
    authority: &Authority,
    today: NaiveDate,
    checked: &AtomicUsize,
) -> Result<Vec<(usize, ValidVenue)>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (row, input) in rows {
        match check_row(input.clone(), units, authority, today) {
            Ok(v) => {
                if !existing.insert((v.commune_code, fold(&v.name), fold(&v.address))) {
                    errors.push(RowError {
                        row,
                        problem: Problem::new("name", "import-duplicate"),
                        value: input.name.clone(),
                    });
                }
                valid.push((row, v));
            }
            Err(problems) => errors.extend(problems.into_iter().map(|problem| RowError {
                row,
                value: input.field(problem.field).to_owned(),
                problem,
            })),
        }
        checked.fetch_add(1, Ordering::Relaxed);
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_row_is_checked_and_duplicates_are_found_in_the_file_and_the_registry() {
        let units = UnitList::load(crate::units::Edition::Y2021, 4).unwrap();
        let authority = crate::domain::testing::authority();
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let file = "ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n\
                    Quán A,Số 1,1273,Chợ,Bà B,0912345678\n\
                    Quán B,Số 2,1273,shop,Bà B,0912345678\n";
        let checked = AtomicUsize::new(0);
        let rows = parse_csv(file.as_bytes()).unwrap();
        let valid = check_all(
            rows.clone(),
            HashSet::new(),
            &units,
            &authority,
            today,
            &checked,
        )
        .unwrap();
        assert_eq!(
            valid
                .iter()
                .map(|(r, v)| (*r, v.sector))
                .collect::<Vec<_>>(),
            [(2, Sector::Market), (3, Sector::Shop)]
        );
        assert_eq!(checked.load(Ordering::Relaxed), 2);
        // Quán B is registered already, and a third row repeats Quán A with other spelling.
        let existing = HashSet::from([(1273, fold("QUÁN B"), fold("số 2"))]);
        let again = format!("{file}QUÁN A,Số 1,1273,market,Bà B,0912345678\nX,Y,0,Z,,1\n");
        let errors = check_all(
            parse_csv(again.as_bytes()).unwrap(),
            existing,
            &units,
            &authority,
            today,
            &AtomicUsize::new(0),
        )
        .unwrap_err();
        let found: Vec<(usize, &str, &str)> = errors
            .iter()
            .map(|e| (e.row, e.problem.field, e.problem.message))
            .collect();
        assert_eq!(
            found,
            [
                (3, "name", "import-duplicate"),
                (4, "name", "import-duplicate"),
                (5, "commune", "venue-commune-unknown"),
                (5, "sector", "venue-sector-unknown"),
                (5, "contact_name", "venue-contact-required"),
                (5, "contact_phone", "venue-phone-invalid"),
            ]
        );
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
            "import-no-rows"
        );
        for empty in [&b""[..], b"\xef\xbb\xbf", b" \r\n\n"] {
            assert_eq!(parse_csv(empty).unwrap_err(), "import-empty");
        }
    }
}
