//! The coverage report as an administrative document (Decree 30/2020/NĐ-CP, appendix I): the
//! letterhead (the body above the department, the department, the number), the national motto,
//! the place and date line, the title, the figures as of a day with a chart, "Nơi nhận" and the
//! signature block; then the communes as an appendix. Written as DOCX (`docx`), what an office
//! edits, signs and files, and as PDF (`pdf`), to read and print at once.
//!
//! Always in Vietnamese, whatever the reader's portal language: it is a document of the
//! Vietnamese administration, sent to the People's Committee.

mod docx;
mod pdf;

pub use docx::write as docx;
pub use pdf::write as pdf;

use chrono::NaiveDate;

use crate::authority::Settings;
use crate::domain::coverage::{percent, Coverage};

/// A block of the document's body, in order.
pub enum Block {
    /// A numbered section's heading ("I. KẾT QUẢ CHUNG").
    Heading(String),
    /// A paragraph of running text.
    Text(String),
    Table(Table),
    /// The weekly chart, as the portal draws it (SVG), with its caption.
    Chart {
        svg: String,
        caption: String,
    },
}

/// A table of figures: a header row, the rows, and a total row where adding up makes sense.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: Option<Vec<String>>,
    /// Each column's share of the table's width, in any unit.
    pub widths: Vec<u32>,
    /// Which columns hold numbers (set right, the rest left).
    pub numeric: Vec<bool>,
}

/// The whole report, in words, ready to be written either way.
pub struct Document {
    /// "UBND TỈNH CAO BẰNG".
    pub parent: String,
    /// The department's name in capitals.
    pub issuer: String,
    /// "Số:      /BC-SYT": the number is the office's to give when it signs. The gap is of
    /// no-break spaces, which neither a word processor nor the PDF's line breaking collapses.
    pub number: String,
    pub motto: [String; 2],
    /// "Cao Bằng, ngày 06 tháng 12 năm 2026".
    pub place_date: String,
    pub title: String,
    pub subject: String,
    /// "(Số liệu đến hết ngày 30/11/2026)".
    pub as_of: String,
    pub body: Vec<Block>,
    pub recipients: Vec<String>,
    /// The signer's title, a line each ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC").
    pub signer: Vec<String>,
    pub appendix_title: String,
    pub appendix: Table,
}

/// The most communes without a poster the body names one by one; more are left to the appendix.
const NAMED_UNCOVERED: usize = 20;

/// "tỉnh" or "thành phố": what the province is, as the report's sentences name it.
fn kind(province: &str) -> &'static str {
    if province.starts_with("Thành phố ") {
        "thành phố"
    } else {
        "tỉnh"
    }
}

/// "Tỉnh Cao Bằng" → "Cao Bằng": the place in a date line.
fn place(province: &str) -> String {
    ["Tỉnh ", "Thành phố "]
        .iter()
        .find_map(|kind| province.strip_prefix(kind))
        .unwrap_or(province)
        .to_owned()
}

fn upper(text: &str) -> String {
    text.to_uppercase()
}

fn share(part: usize, whole: usize) -> String {
    percent(part, whole).to_string()
}

/// The report as of the end of `as_of`, dated `today`, with the weekly chart drawn by the caller.
pub fn build(
    settings: &Settings,
    r: &Coverage,
    as_of: NaiveDate,
    today: NaiveDate,
    chart_svg: String,
) -> Document {
    let dept = &settings.department;
    let place = place(&r.province);
    let kind = kind(&r.province);
    let has_districts = !r.districts.is_empty();
    let day = as_of.format("%d/%m/%Y");
    let mut body = vec![Block::Text(format!(
        "Thực hiện chỉ đạo của Ủy ban nhân dân {kind} về quản lý người ra vào các cơ quan, đơn vị, \
         địa điểm bằng quét mã QR, {} báo cáo kết quả triển khai ứng dụng Nhật ký ra vào đến hết \
         ngày {day} như sau:",
        settings.name
    ))];
    let mut sections = ["I", "II", "III", "IV", "V"].into_iter();
    let mut heading =
        |words: &str| Block::Heading(format!("{}. {words}", sections.next().unwrap()));

    body.push(heading("KẾT QUẢ CHUNG"));
    body.push(Block::Text(format!(
        "Toàn {kind} có {} địa điểm đang hoạt động đã đăng ký mã QR; {} địa điểm đã tải áp phích mã QR \
         ({}%). Có {}/{} xã, phường ({}%) có ít nhất một địa điểm đã tải áp phích.",
        r.registered,
        r.with_poster,
        share(r.with_poster, r.registered),
        r.covered_communes,
        r.communes.len(),
        r.percent()
    )));
    body.push(Block::Text(
        "Số liệu tính các địa điểm đã tải áp phích từ cổng thông tin; cổng không biết áp phích \
         đã được in và dán hay chưa. Ứng dụng không gửi về máy chủ nơi người dân đã đến, nên báo \
         cáo không có số lượt ra vào."
            .into(),
    ));

    if has_districts {
        body.push(heading("KẾT QUẢ THEO HUYỆN, THÀNH PHỐ"));
        body.push(Block::Table(Table {
            header: [
                "STT",
                "Huyện, thành phố",
                "Số xã, phường",
                "Xã, phường có địa điểm đã tải áp phích",
                "Tỷ lệ (%)",
                "Địa điểm đã đăng ký",
                "Địa điểm đã tải áp phích",
            ]
            .map(String::from)
            .into(),
            rows: r
                .districts
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    vec![
                        (i + 1).to_string(),
                        d.name.clone(),
                        d.communes.to_string(),
                        d.covered.to_string(),
                        d.percent().to_string(),
                        d.registered.to_string(),
                        d.with_poster.to_string(),
                    ]
                })
                .collect(),
            total: Some(vec![
                String::new(),
                "Tổng cộng".into(),
                r.communes.len().to_string(),
                r.covered_communes.to_string(),
                r.percent().to_string(),
                r.registered.to_string(),
                r.with_poster.to_string(),
            ]),
            widths: vec![8, 25, 12, 17, 10, 13, 15],
            numeric: vec![true, false, true, true, true, true, true],
        }));
    }

    body.push(heading("KẾT QUẢ THEO LĨNH VỰC"));
    body.push(Block::Table(Table {
        header: [
            "STT",
            "Lĩnh vực",
            "Địa điểm đã đăng ký",
            "Địa điểm đã tải áp phích",
            "Tỷ lệ (%)",
        ]
        .map(String::from)
        .into(),
        rows: r
            .sectors
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.label.clone(),
                    s.registered.to_string(),
                    s.with_poster.to_string(),
                    share(s.with_poster, s.registered),
                ]
            })
            .collect(),
        total: Some(vec![
            String::new(),
            "Tổng cộng".into(),
            r.registered.to_string(),
            r.with_poster.to_string(),
            share(r.with_poster, r.registered),
        ]),
        widths: vec![8, 40, 18, 18, 12],
        numeric: vec![true, false, true, true, true],
    }));

    body.push(heading("TIẾN ĐỘ THEO TUẦN"));
    body.push(Block::Chart {
        svg: chart_svg,
        caption: "Biểu đồ: tổng số địa điểm đã tải áp phích (còn hoạt động) vào cuối mỗi tuần"
            .into(),
    });
    let recent: Vec<_> = r.weeks.iter().rev().take(8).rev().collect();
    if recent.is_empty() {
        body.push(Block::Text("Chưa có địa điểm nào tải áp phích.".into()));
    } else {
        body.push(Block::Table(Table {
            header: [
                "Tuần (từ thứ Hai)",
                "Lần đầu tải áp phích trong tuần",
                "Tổng số đã tải áp phích cuối tuần",
            ]
            .map(String::from)
            .into(),
            rows: recent
                .iter()
                .map(|w| {
                    vec![
                        w.monday.format("%d/%m/%Y").to_string(),
                        w.new_posters.to_string(),
                        w.total.to_string(),
                    ]
                })
                .collect(),
            total: None,
            widths: vec![30, 35, 35],
            numeric: vec![false, true, true],
        }));
    }

    body.push(heading("XÃ, PHƯỜNG CHƯA CÓ ĐỊA ĐIỂM TẢI ÁP PHÍCH"));
    let uncovered = r.uncovered();
    body.push(Block::Text(if uncovered.is_empty() {
        "Mọi xã, phường đều đã có địa điểm tải áp phích.".into()
    } else if uncovered.len() <= NAMED_UNCOVERED {
        format!("{} xã, phường: {}.", uncovered.len(), uncovered.join("; "))
    } else {
        format!(
            "{} xã, phường; danh sách tại Phụ lục (các dòng có số 0 ở cột “Đã tải áp phích”).",
            uncovered.len()
        )
    }));

    let (header, widths, numeric) = if has_districts {
        (
            vec![
                "STT",
                "Huyện, thành phố",
                "Xã, phường",
                "Đã đăng ký",
                "Đã tải áp phích",
            ],
            vec![8, 30, 30, 16, 16],
            vec![true, false, false, true, true],
        )
    } else {
        (
            vec!["STT", "Xã, phường", "Đã đăng ký", "Đã tải áp phích"],
            vec![8, 52, 20, 20],
            vec![true, false, true, true],
        )
    };
    let appendix = Table {
        header: header.into_iter().map(String::from).collect(),
        rows: r
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut row = vec![(i + 1).to_string()];
                if has_districts {
                    row.push(c.district.clone());
                }
                row.extend([
                    c.name.clone(),
                    c.registered.to_string(),
                    c.with_poster.to_string(),
                ]);
                row
            })
            .collect(),
        total: None,
        widths,
        numeric,
    };

    Document {
        parent: upper(
            &dept
                .parent
                .clone()
                .unwrap_or_else(|| format!("UBND {kind} {place}")),
        ),
        issuer: upper(&settings.name),
        number: format!(
            "Số:{}/BC{}",
            "\u{a0}".repeat(8),
            dept.abbreviation
                .as_deref()
                .map(|a| format!("-{a}"))
                .unwrap_or_default()
        ),
        motto: [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
            "Độc lập - Tự do - Hạnh phúc".into(),
        ],
        place_date: format!(
            "{place}, ngày {} tháng {} năm {}",
            today.format("%d"),
            today.format("%m"),
            today.format("%Y")
        ),
        title: "BÁO CÁO".into(),
        subject: "Kết quả triển khai quản lý người ra vào bằng mã QR (ứng dụng Nhật ký ra vào)"
            .into(),
        as_of: format!("(Số liệu đến hết ngày {day})"),
        body,
        recipients: vec![
            format!("- UBND {kind} {place} (để báo cáo);"),
            "- Lưu: VT.".into(),
        ],
        signer: dept
            .signer
            .as_deref()
            .unwrap_or("GIÁM ĐỐC")
            .lines()
            .map(upper)
            .collect(),
        appendix_title: format!("PHỤ LỤC\nKết quả theo xã, phường (số liệu đến hết ngày {day})"),
        appendix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::coverage::count;
    use crate::i18n::{Lang, Tr};
    use crate::units::{Edition, UnitList};

    fn settings(name: &str, province: u32) -> Settings {
        Settings {
            name: name.into(),
            host: "example.org".into(),
            portal_url: "https://example.org".into(),
            province,
            units: Edition::Y2025,
            apps: Default::default(),
            diary_retention_days: 60,
            department: Default::default(),
        }
    }

    #[test]
    fn a_city_s_report_names_it_a_city() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let tr = Tr::new(Lang::Vi);
        for (province, parent, date, whole, to) in [
            (
                4,
                "UBND TỈNH CAO BẰNG",
                "Cao Bằng, ngày 06 tháng 12 năm 2026",
                "Toàn tỉnh",
                "- UBND tỉnh Cao Bằng (để báo cáo);",
            ),
            (
                1,
                "UBND THÀNH PHỐ HÀ NỘI",
                "Hà Nội, ngày 06 tháng 12 năm 2026",
                "Toàn thành phố",
                "- UBND thành phố Hà Nội (để báo cáo);",
            ),
        ] {
            let units = UnitList::load(Edition::Y2025, province).unwrap();
            let r = count(&units, &tr, &[], day);
            let d = build(&settings("Sở Y tế", province), &r, day, day, String::new());
            assert_eq!((d.parent.as_str(), d.place_date.as_str()), (parent, date));
            let said: Vec<&String> = d
                .body
                .iter()
                .filter_map(|b| match b {
                    Block::Text(t) => Some(t),
                    _ => None,
                })
                .collect();
            assert!(said[1].starts_with(whole), "{}", said[1]);
            assert_eq!(d.recipients[0], to);
        }
    }
}
