//! Posters as a registrar prints them: PDF, PNG and SVG from the real `portal` binary, checked
//! with poppler's `pdftotext`, `pdftoppm` and `pdffonts`, and a QR decoder.

use std::path::Path;
use std::process::Command;

fn portal(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        // The data folder's own master key and SQLite database, whatever the caller's setting.
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env("PORTAL_ADMIN_PASSWORD", "a long enough test password")
        .output()
        .unwrap()
}

fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (Debian package poppler-utils) is needed: {e}"));
    assert!(out.status.success(), "{cmd}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// An authority and one venue code; returns (data dir, venue id, code).
fn venue(name: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(
        portal(&["init", "--data-dir", d, "--host", "yte.caobang.example"])
            .status
            .success()
    );
    let out = portal(&[
        "venue-code",
        "make",
        "--data-dir",
        d,
        "--name",
        name,
        "--address",
        "Phố Kim Đồng, Phường Hợp Giang, tỉnh Cao Bằng",
        "--unit",
        "1273",
        "--sector",
        "market",
    ]);
    assert!(out.status.success(), "{out:?}");
    let out = String::from_utf8(out.stdout).unwrap();
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("Id: "))
        .unwrap()
        .to_owned();
    let code = out.lines().last().unwrap().to_owned();
    (dir, id, code)
}

/// `portal poster --data-dir DIR <--code|--venue> VALUE --out OUT`.
fn poster(dir: &Path, source: &str, value: &str, out: &Path) -> std::process::Output {
    portal(&[
        "poster",
        "--data-dir",
        dir.to_str().unwrap(),
        source,
        value,
        "--out",
        out.to_str().unwrap(),
    ])
}

fn decode_png(path: &Path) -> String {
    let image = image::open(path).unwrap().to_luma8();
    let (w, h) = image.dimensions();
    rxing::helpers::detect_in_luma(image.into_raw(), w, h, Some(rxing::BarcodeFormat::QR_CODE))
        .unwrap()
        .getText()
        .to_owned()
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pdf_is_a4_with_the_name_as_text_and_its_font_embedded() {
    for name in [
        "Chợ Xanh Cao Bằng",
        "Ủy ban nhân dân Phường Thục Phán – Bộ phận tiếp nhận và trả kết quả thủ tục hành chính",
    ] {
        let (dir, id, _) = venue(name);
        let pdf = dir.path().join("poster.pdf");
        let out = poster(dir.path(), "--venue", &id, &pdf);
        assert!(out.status.success(), "{out:?}");
        let text = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        // Long names wrap over lines; the words are exactly the name's.
        assert!(squash(&text).contains(name), "{name:?} not in {text:?}");
        assert!(text.contains("Quét mã để ghi nhật ký ra vào"));
        assert!(text.contains("Scan to keep your visit diary"));
        assert!(text.contains("Sở Y tế Cao Bằng"));
        let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.contains("(A4)"), "{info}");
        assert!(info.contains("Pages:           1"), "{info}");
        let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
        assert!(
            fonts.lines().skip(2).all(|l| l.contains(" yes yes yes ")),
            "{fonts}"
        );
        assert!(fonts.contains("NotoSans"), "{fonts}");
    }
}

#[test]
fn the_png_and_a_150_dpi_rendering_of_the_pdf_decode_to_the_same_code() {
    let (dir, _, code) = venue("Nhà thuốc Minh Châu");
    let png = dir.path().join("poster.png");
    let pdf = dir.path().join("poster.pdf");
    for out in [&png, &pdf] {
        let o = poster(dir.path(), "--code", &code, out);
        assert!(o.status.success(), "{o:?}");
    }
    assert_eq!(decode_png(&png), code);
    let prefix = dir.path().join("rendered");
    tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let rendered = dir.path().join("rendered.png");
    assert_eq!(decode_png(&rendered), code);

    // The QR is at least 15 cm wide: the distance between the outer corners of its top finder
    // patterns, as a decoder finds them. (One row's dark pixels would depend on the code's
    // modules, which differ with every venue id.)
    let image = image::open(&rendered).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let [top_left, top_right, ..] = grids[0].bounds;
    let (dx, dy) = (
        (top_right.x - top_left.x) as f64,
        (top_right.y - top_left.y) as f64,
    );
    let width_mm = dx.hypot(dy) * 25.4 / 150.0;
    assert!(
        (150.0..=170.0).contains(&width_mm),
        "the QR is {width_mm:.1} mm wide"
    );
}

#[test]
fn the_svg_names_the_venue_and_bad_requests_are_refused_in_one_line() {
    let (dir, _, code) = venue("Quán cà phê <Phố Cũ> & bạn bè");
    let d = dir.path().to_str().unwrap();
    let svg = dir.path().join("poster.svg");
    assert!(poster(dir.path(), "--code", &code, &svg).status.success());
    let text = std::fs::read_to_string(&svg).unwrap();
    // The name is escaped, not taken as markup (it may wrap over two lines).
    assert!(text.contains("&lt;Phố") && text.contains("Cũ&gt;") && text.contains("&amp;"));
    assert!(!text.contains("<Phố"));

    let other = venue("Chợ khác").2;
    for args in [
        vec![
            "poster",
            "--data-dir",
            d,
            "--code",
            &other,
            "--out",
            "x.pdf",
        ],
        vec![
            "poster",
            "--data-dir",
            d,
            "--code",
            &code,
            "--out",
            "poster.docx",
        ],
        vec![
            "poster",
            "--data-dir",
            d,
            "--venue",
            "no-such-venue",
            "--out",
            "x.pdf",
        ],
        vec![
            "poster",
            "--data-dir",
            d,
            "--code",
            "xin chào",
            "--out",
            "x.pdf",
        ],
    ] {
        let o = portal(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8(o.stderr).unwrap().lines().count(),
            1,
            "{args:?}"
        );
    }
    assert!(!Path::new("x.pdf").exists());
}

#[test]
fn the_longest_name_and_an_unbroken_word_still_make_a_poster_that_reads() {
    let long: String = "Trung tâm Văn hoá Thể thao và Du lịch huyện Trùng Khánh "
        .repeat(5)
        .chars()
        .take(200)
        .collect();
    for name in [
        long.trim(),
        "Ủybannhândânphườngthụcphánbộphậnmộtcửaliênthông",
    ] {
        let (dir, _, code) = venue(name);
        let png = dir.path().join("poster.png");
        let o = poster(dir.path(), "--code", &code, &png);
        assert!(o.status.success(), "{o:?}");
        assert_eq!(decode_png(&png), code);
    }
}
