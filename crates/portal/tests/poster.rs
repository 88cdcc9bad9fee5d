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
        "Số 5 Phố Kim Đồng",
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

/// Sets the department's print details in the data folder's `authority.json`.
fn set_department(dir: &Path, department: serde_json::Value) {
    let path = dir.join("authority.json");
    let mut settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    settings["department"] = department;
    std::fs::write(&path, settings.to_string()).unwrap();
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
        // The three steps in both languages, the department, no key id.
        for step in [
            "Mở ứng dụng Nhật ký ra vào",
            "Open the Visit Diary app",
            "Quét mã QR này",
            "Bấm Ghi nhận",
            "Tap Check in",
            "Sở Y tế Cao Bằng",
        ] {
            assert!(squash(&text).contains(step), "{step:?} not in {text:?}");
        }
        assert!(!text.contains("Khoá") && !text.contains("Key"), "{text}");
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
        // On A6 too, where the type has a floor and takes more of the page.
        let small = dir.path().join("poster-a6.png");
        let d = dir.path().to_str().unwrap();
        let args = [
            "poster",
            "--data-dir",
            d,
            "--size",
            "A6",
            "--code",
            &code,
            "--out",
        ];
        let o = portal(&[&args[..], &[small.to_str().unwrap()]].concat());
        assert!(o.status.success(), "{o:?}");
        assert_eq!(decode_png(&small), code);
    }
}

/// A door gets A4; a counter A5 or A6. Each size is its own page, says where to get the app and
/// whom to call, shows the department's logo and the venue's commune in words, and reads.
#[test]
fn a5_and_a6_posters_carry_the_department_s_details_and_read() {
    let (dir, id, code) = venue("Hiệu thuốc Số 7");
    std::fs::write(
        dir.path().join("logo.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#c00"/></svg>"##,
    )
    .unwrap();
    set_department(
        dir.path(),
        serde_json::json!({
            "hotline": "0206 3852 123",
            "get_the_app": "CH Play, App Store",
            "logo": "logo.svg",
        }),
    );
    let d = dir.path().to_str().unwrap();
    for (size, points) in [
        ("A4", "595.276 x 841.89"),
        ("A5", "419.528 x 595.276"),
        ("A6", "297.638 x 419.528"),
    ] {
        let pdf = dir.path().join(format!("poster-{size}.pdf"));
        let png = dir.path().join(format!("poster-{size}.png"));
        for out in [&pdf, &png] {
            let o = portal(&[
                "poster",
                "--data-dir",
                d,
                "--size",
                size,
                "--venue",
                &id,
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{o:?}");
        }
        let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.contains(points), "{size}: {info}");
        let text = squash(&tool("pdftotext", &[pdf.to_str().unwrap(), "-"]));
        for words in [
            "Đường dây nóng / Hotline: 0206 3852 123",
            "Tải ứng dụng / Get the app: CH Play, App Store",
            "Hiệu thuốc Số 7",
            "Bấm Ghi nhận",
            "Phường Thục Phán, Cao Bằng",
        ] {
            assert!(text.contains(words), "{size}: {words:?} not in {text:?}");
        }
        assert_eq!(decode_png(&png), code, "{size}");
        // For a person to look at, with the end-to-end screenshots.
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::copy(&png, out.join(format!("poster-{size}.png"))).unwrap();
        // The logo is drawn: red pixels at the top left.
        let image = image::open(&png).unwrap().to_rgb8();
        let red = image
            .pixels()
            .take(image.width() as usize * image.height() as usize / 6)
            .filter(|p| p[0] > 180 && p[1] < 60 && p[2] < 60)
            .count();
        assert!(red > 100, "{size}: {red} red pixels");
    }
    let o = portal(&[
        "poster",
        "--data-dir",
        d,
        "--size",
        "A3",
        "--venue",
        &id,
        "--out",
        "x.pdf",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("a poster is A4, A5 or A6"));
    // A logo that is not SVG is refused in one sentence, not printed as a blank.
    std::fs::write(dir.path().join("logo.png"), b"not an image").unwrap();
    set_department(dir.path(), serde_json::json!({ "logo": "logo.png" }));
    let out = dir.path().join("refused.pdf");
    let o = portal(&[
        "poster",
        "--data-dir",
        d,
        "--venue",
        &id,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be an SVG file"));
    assert!(!out.exists());
}
