//! The coverage report as the document a department sends to the People's Committee (Decree
//! 30/2020/NĐ-CP): the DOCX opened as a word processor would (the zip, then its XML) and checked
//! for its letterhead, motto, date line, tables and chart; converted to PDF by LibreOffice and
//! read back; the portal's own PDF read back too. Both PDFs are rendered to PNG in
//! `tests/e2e/out` for a person to look at. Each test runs on SQLite and on PostgreSQL.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use chrono::{Duration, FixedOffset, Utc};
use portal::domain::accounts::Role;
use portal::store::Backend;
use portal::units::{Edition, UnitList};
use support::{Client, Portal};

on_both_backends!(
    the_report_file_says_what_the_page_says,
    a_report_as_of_a_past_day_counts_what_stood_then,
);

async fn register(c: &mut Client, name: &str, commune: &str, sector: &str) -> String {
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", name),
                ("address", "Phố Kim Đồng"),
                ("commune", commune),
                ("sector", sector),
                ("usual_stay", ""),
                ("contact_name", "Bà Hoa"),
                ("contact_phone", "0912345678"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/venues/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned()
}

/// The number line as a report is issued, its number left for the office: a gap of no-break
/// spaces.
const NUMBER: &str = "Số:\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}/BC-SYT";

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive()
}

/// The file `name` of a zip archive, as text.
fn unzipped(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the DOCX"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn is(node: &roxmltree::Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name
}

/// What a node says: its text runs joined, line breaks as newlines.
fn said(node: roxmltree::Node) -> String {
    node.descendants()
        .filter_map(|n| {
            if is(&n, "t") {
                n.text().map(str::to_owned)
            } else if is(&n, "br") {
                Some("\n".into())
            } else {
                None
            }
        })
        .collect()
}

/// Each table of a document body: its rows, each row its cells' text.
fn tables(body: roxmltree::Node) -> Vec<Vec<Vec<String>>> {
    body.children()
        .filter(|n| is(n, "tbl"))
        .map(|t| {
            t.children()
                .filter(|n| is(n, "tr"))
                .map(|r| r.children().filter(|n| is(n, "tc")).map(said).collect())
                .collect()
        })
        .collect()
}

/// A PDF's text, as `pdftotext` reads it.
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils, which make test installs)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Renders a PDF's pages to `tests/e2e/out/{name}-N.png` for a person to look at.
fn look_at(pdf: &Path, name: &str) {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/out");
    std::fs::create_dir_all(&out).unwrap();
    // Pages of an earlier, longer run would be taken for this one's.
    for old in std::fs::read_dir(&out).unwrap().flatten() {
        if old
            .file_name()
            .to_string_lossy()
            .starts_with(&format!("{name}-"))
        {
            std::fs::remove_file(old.path()).unwrap();
        }
    }
    let status = Command::new("pdftoppm")
        .args(["-r", "70", "-png"])
        .arg(pdf)
        .arg(out.join(name))
        .status()
        .expect("pdftoppm");
    assert!(status.success());
}

/// Converts a DOCX to PDF with LibreOffice, as an office's computer would open it.
fn libreoffice_pdf(docx: &Path) -> std::path::PathBuf {
    let dir = docx.parent().unwrap();
    let profile = dir.join("lo-profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(docx)
        .output()
        .expect("LibreOffice (Debian's libreoffice-writer-nogui, which make test installs)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = docx.with_extension("pdf");
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&out.stdout));
    pdf
}

async fn the_report_file_says_what_the_page_says(backend: Backend) {
    let p = Portal::with_settings(backend, |s| {
        s.units = Edition::Y2021;
        s.department.abbreviation = Some("SYT".into());
        s.department.signer = Some("KT. Giám đốc\nPhó Giám đốc".into());
    })
    .await;
    p.add_user("lan", &[Role::Registrar, Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    // Two shops and a school in two districts; the posters of one shop and the school downloaded.
    let units = UnitList::load(Edition::Y2021, 4).unwrap();
    let shop = register(&mut c, "Chợ Sông Bằng", "1267", "shop").await;
    register(&mut c, "Cửa hàng Tổ 5", "1267", "shop").await;
    let school = register(&mut c, "Trường Tiểu học Đức Hạnh", "1291", "school").await;
    for id in [&shop, &school] {
        assert_eq!(
            c.get(&format!("/venues/{id}/poster/svg")).await.status,
            StatusCode::OK
        );
    }
    let district_of = |commune: u32| {
        let d = units.commune(commune).unwrap().district.unwrap();
        units.district(d).unwrap()
    };
    let (city, bao_lam) = (district_of(1267), district_of(1291));
    let communes_in = |d: u32| {
        units
            .communes
            .iter()
            .filter(|c| c.district == Some(d))
            .count()
    };

    let r = c.get("/reports/coverage/report.docx").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let day = today();
    assert_eq!(
        r.header("content-disposition"),
        format!(
            "attachment; filename=\"bao-cao-trien-khai-{}.docx\"",
            day.format("%Y-%m-%d")
        )
    );
    let xml = unzipped(&r.bytes, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let body = doc.descendants().find(|n| is(n, "body")).unwrap();

    // The letterhead: the body above the department, the department, the number; the motto and
    // the date line beside them.
    let all = tables(body);
    let head = &all[0][0];
    assert_eq!(
        head[0],
        "UBND TỈNH CAO BẰNG".to_owned() + "SỞ Y TẾ CAO BẰNG" + "────────" + NUMBER
    );
    assert_eq!(
        head[1],
        format!(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAMĐộc lập - Tự do - Hạnh phúc────────────────\
             Cao Bằng, ngày {} tháng {} năm {}",
            day.format("%d"),
            day.format("%m"),
            day.format("%Y")
        )
    );
    let paragraphs: Vec<String> = body.children().filter(|n| is(n, "p")).map(said).collect();
    let as_of = format!("(Số liệu đến hết ngày {})", day.format("%d/%m/%Y"));
    for line in ["BÁO CÁO", as_of.as_str(), "I. KẾT QUẢ CHUNG", "PHỤ LỤC"] {
        assert!(
            paragraphs.iter().any(|p| p == line),
            "{line}: {paragraphs:#?}"
        );
    }
    let communes = units.communes.len();
    assert!(paragraphs.iter().any(|p| p
        == &format!(
            "Toàn tỉnh có 3 địa điểm đang hoạt động đã đăng ký mã QR; 2 địa điểm đã tải áp phích \
             mã QR (66%). Có 2/{communes} xã, phường ({}%) có ít nhất một địa điểm đã tải áp phích.",
            200 / communes
        )));

    // By district: a row each, a total.
    let districts = all
        .iter()
        .find(|t| t[0][1] == "Huyện, thành phố" && t[0].len() == 7)
        .expect("the district table");
    assert_eq!(districts.len(), 1 + units.districts.len() + 1);
    let row = |t: &Vec<Vec<String>>, name: &str| {
        t.iter()
            .find(|r| r[1] == name)
            .unwrap_or_else(|| panic!("{name}: {t:?}"))[2..]
            .to_vec()
    };
    let n = communes_in(city.code);
    assert_eq!(
        row(districts, &city.name),
        [n, 1, 100 / n, 2, 1].map(|v| v.to_string())
    );
    let n = communes_in(bao_lam.code);
    assert_eq!(
        row(districts, &bao_lam.name),
        [n, 1, 100 / n, 1, 1].map(|v| v.to_string())
    );
    assert_eq!(
        row(districts, "Tổng cộng"),
        [communes, 2, 200 / communes, 3, 2].map(|v| v.to_string())
    );
    // By sector, with the share of each sector's venues.
    let sectors = all
        .iter()
        .find(|t| t[0][1] == "Lĩnh vực")
        .expect("the sector table");
    assert_eq!(row(sectors, "Cửa hàng"), ["2", "1", "50"]);
    assert_eq!(row(sectors, "Trường học"), ["1", "1", "100"]);
    assert_eq!(row(sectors, "Tổng cộng"), ["3", "2", "66"]);
    // The appendix: every commune of the list.
    let appendix = all.last().unwrap();
    assert_eq!(appendix.len(), 1 + communes);
    assert!(appendix
        .iter()
        .any(|r| r[2] == units.commune(1267).unwrap().name && r[3..] == ["2", "1"]));
    // The chart is a picture in the file; the signature block names the signer and recipients.
    assert!(body.descendants().any(|n| is(&n, "drawing")));
    let media: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(&r.bytes[..]))
        .unwrap()
        .file_names()
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .map(str::to_owned)
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let sign = all
        .iter()
        .find(|t| t[0][0].starts_with("Nơi nhận:"))
        .expect("the signature block");
    assert_eq!(sign[0][1], "KT. GIÁM ĐỐCPHÓ GIÁM ĐỐC");
    assert!(sign[0][0].contains("- UBND tỉnh Cao Bằng (để báo cáo);"));
    // A4, with Decree 30's margins, in Times New Roman.
    let section = body.children().find(|n| is(n, "sectPr")).unwrap();
    let attr = |name: &str, a: &str| {
        section
            .children()
            .find(|n| is(n, name))
            .and_then(|n| {
                n.attributes()
                    .find(|x| x.name() == a)
                    .map(|x| x.value().to_owned())
            })
            .unwrap()
    };
    assert_eq!(
        (attr("pgSz", "w"), attr("pgSz", "h")),
        ("11906".into(), "16838".into())
    );
    assert_eq!(
        (attr("pgMar", "left"), attr("pgMar", "top")),
        ("1701".into(), "1134".into())
    );
    assert!(unzipped(&r.bytes, "word/styles.xml").contains("Times New Roman"));

    // LibreOffice opens it, as an office would, and it reads the same.
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, &r.bytes).unwrap();
    let converted = libreoffice_pdf(&docx);
    let text = pdf_text(&converted);
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        &city.name,
        "Nơi nhận:",
        "PHÓ GIÁM ĐỐC",
        "PHỤ LỤC",
    ] {
        assert!(text.contains(line), "{line}:\n{text}");
    }
    // The portal's own PDF says the same.
    let r = c.get("/reports/coverage/report.pdf").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.starts_with(b"%PDF"));
    let own = dir.path().join("own.pdf");
    std::fs::write(&own, &r.bytes).unwrap();
    let own_text = pdf_text(&own);
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "/BC-SYT",
        as_of.as_str(),
        &city.name,
        "Tổng cộng",
        "PHÓ GIÁM ĐỐC",
        "PHỤ LỤC",
    ] {
        assert!(own_text.contains(line), "{line}:\n{own_text}");
    }
    if backend == Backend::Sqlite {
        look_at(&converted, "report-docx-libreoffice");
        look_at(&own, "report-pdf");
    }
    // Each download is in the audit log.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report_downloaded' AND target IN ('report.docx', 'report.pdf')")
            .await,
        2
    );
}

async fn a_report_as_of_a_past_day_counts_what_stood_then(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2025).await;
    p.add_user("lan", &[Role::Registrar, Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    let units = UnitList::load(Edition::Y2025, 4).unwrap();
    let commune = units.communes[0].code.to_string();
    let old = register(&mut c, "Chợ Cũ", &commune, "market").await;
    register(&mut c, "Quán Mới", &commune, "restaurant-cafe").await;
    assert_eq!(
        c.get(&format!("/venues/{old}/poster/svg")).await.status,
        StatusCode::OK
    );
    // The old market was registered 20 days ago and downloaded its poster 10 days ago.
    let now = Utc::now().timestamp();
    sqlx::query("UPDATE venues SET created_at = $1, poster_first_at = $2 WHERE id = $3")
        .bind(now - 20 * 86_400)
        .bind(now - 10 * 86_400)
        .bind(&old)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let day = |ago: i64| {
        (today() - Duration::days(ago))
            .format("%d/%m/%Y")
            .to_string()
    };

    // Five days ago: the market only. Fifteen: the market, without its poster yet.
    let page = c.get(&format!("/reports/coverage?as_of={}", day(5))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(&format!("Số liệu đến hết ngày {}", day(5))));
    assert!(
        page.body.contains("id=\"total-with-poster\">1<"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("/reports/coverage/report.docx?as_of={}", day(5))));
    // The commune's figures as they stood, without the links to today's venues behind them.
    let row = support::between(&page.body, &format!("data-commune=\"{commune}\""), "</tr>");
    assert!(
        row.ends_with("<td class=\"num\">1</td><td class=\"num\">1</td>"),
        "{row}"
    );
    let r = c
        .get(&format!("/reports/coverage/sectors.csv?as_of={}", day(15)))
        .await;
    let market = r.body.lines().find(|l| l.starts_with("market,")).unwrap();
    assert_eq!(market, "market,Chợ,1,0");
    let cafe = r
        .body
        .lines()
        .find(|l| l.starts_with("restaurant-cafe,"))
        .unwrap();
    assert!(cafe.ends_with(",0,0"), "{cafe}");
    // Today: both.
    let page = c.get("/reports/coverage").await;
    assert!(page.body.contains("id=\"total-with-poster\">1<"));
    let r = c.get("/reports/coverage/sectors.csv").await;
    assert!(r
        .body
        .lines()
        .any(|l| l.starts_with("restaurant-cafe,") && l.ends_with(",1,0")));

    // The file as of a past day says so, and has no district table on the 2025 list.
    let r = c
        .get(&format!("/reports/coverage/report.docx?as_of={}", day(5)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let xml = unzipped(&r.bytes, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let body = doc.descendants().find(|n| is(n, "body")).unwrap();
    let text = said(body);
    assert!(text.contains(&format!("(Số liệu đến hết ngày {})", day(5))));
    assert!(!text.contains("Huyện, thành phố"));
    assert!(text.contains("Toàn tỉnh có 1 địa điểm đang hoạt động đã đăng ký mã QR; 1 địa điểm"));

    // A day that does not read, or has not come, is said beside the field; the page keeps what
    // was typed and shows today's figures.
    for (typed, says) in [
        ("31/02/2026", "Không đọc được ngày này"),
        (day(-1).as_str(), "Ngày này chưa đến"),
    ] {
        let page = c
            .get(&format!(
                "/reports/coverage?as_of={}",
                support::urlencode(typed)
            ))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(
            support::between(&page.body, "id=\"as_of-error\"", "</p>").contains(says),
            "{typed}"
        );
        assert!(page.body.contains(&format!("value=\"{typed}\"")));
        let r = c
            .get(&format!(
                "/reports/coverage/report.pdf?as_of={}",
                support::urlencode(typed)
            ))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{typed}");
    }
}
