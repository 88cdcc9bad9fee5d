//! The decoder's own parts on drawn codes: the projective sampler, a code at a slant, and
//! what no QR code gives.

use super::*;

/// A QR code drawn on a grey 1280 × 720 frame through a projection: the poster at a slant.
fn slanted(text: &str, corners: [(f64, f64); 4]) -> Vec<u8> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::Q).unwrap();
    let (width, colors) = (code.width(), code.to_colors());
    let side = width as f64 + 8.0; // with a quiet zone of 4 modules
    let square = [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)];
    // Pixels to modules: the projection fitted the other way round.
    let pairs: Vec<Pair> = corners.into_iter().zip(square).collect();
    let (to_module, _) = Projection::fit(&pairs).unwrap();
    let frame = GrayImage::from_fn(1280, 720, |x, y| {
        let (mx, my) = to_module.map((x as f64 + 0.5, y as f64 + 0.5));
        let within = |v: f64, end: f64| (0.0..end).contains(&v);
        let (cx, cy) = (mx - 4.0, my - 4.0);
        let dark = within(cx, width as f64)
            && within(cy, width as f64)
            && colors[cy as usize * width + cx as usize] == qrcode::Color::Dark;
        let paper = within(mx, side) && within(my, side);
        image::Luma([if dark {
            40
        } else if paper {
            220
        } else {
            140
        }])
    });
    let mut png = Vec::new();
    frame
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn a_poster_seen_at_a_strong_slant_reads() {
    let text = "https://yte.caobang.example/v/2#3891651823540209638117247890094248358124823345";
    // Its left edge nearly twice as long as its right one.
    let png = slanted(
        text,
        [
            (300.0, 120.0),
            (930.0, 260.0),
            (900.0, 560.0),
            (330.0, 700.0),
        ],
    );
    assert_eq!(decode_qr_image(&png).unwrap(), text);
}

#[test]
fn slanted_finder_patterns_make_a_set() {
    // Finder patterns as found on bench images rxing's own sets missed: a leg that looks
    // longer than the hypotenuse; a corner seen at 145°.
    let fp = |x, y, size| ConcentricPattern {
        p: Point::new(x, y),
        size,
    };
    for (mut patterns, tl, tr) in [
        (
            vec![
                fp(736.0, 423.0, 46),
                fp(1156.0, 531.0, 41),
                fp(795.0, 738.0, 29),
            ],
            (736.0, 423.0),
            (1156.0, 531.0),
        ),
        (
            vec![
                fp(949.0, 88.0, 25),
                fp(708.0, 298.0, 18),
                fp(616.0, 663.0, 40),
            ],
            (708.0, 298.0),
            (949.0, 88.0),
        ),
    ] {
        let sets = finder_sets(&mut patterns);
        let set = sets
            .iter()
            .find(|s| s.tl.p == Point::new(tl.0, tl.1))
            .expect("a set with that corner");
        assert_eq!(set.tr.p, Point::new(tr.0, tr.1));
    }
}

#[test]
fn a_projection_is_recovered_from_exact_points() {
    let truth = Projection([1.3, 0.2, 100.0, -0.1, 1.1, 50.0, 0.001, -0.0005]);
    let pairs: Vec<Pair> = [
        (0.0, 0.0),
        (60.0, 0.0),
        (60.0, 60.0),
        (0.0, 60.0),
        (30.0, 10.0),
        (7.0, 44.0),
    ]
    .into_iter()
    .map(|m| (m, truth.map(m)))
    .collect();
    let (fitted, error) = Projection::fit(&pairs).unwrap();
    assert!(error < 1e-6, "{error}");
    let (a, b) = (fitted.map((45.0, 45.0)), truth.map((45.0, 45.0)));
    assert!((a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6);
}

#[test]
fn no_code_and_no_image_are_told_apart() {
    let mut png = Vec::new();
    GrayImage::from_pixel(640, 480, image::Luma([128]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(matches!(decode_qr_image(&png), Err(Error::NoQrCode)));
    assert!(matches!(
        decode_qr_image(b"not an image"),
        Err(Error::ImageUnreadable(_))
    ));
}

/// The `qr_image` fuzz target's seeds (`fuzz/seeds/qr_image/`): a venue code's QR at two pixels a
/// module as PNG, JPEG and WebP files (first byte 0: a file) and as grey pixels (first byte 1,
/// then the width), each read here. `UPDATE_EXPECT=1` writes them; otherwise each must be on
/// disk exactly as made today.
#[test]
fn the_fuzz_seeds_are_codes_that_read() {
    let text = "https://yte.caobang.example/v/2#3891651823540209638117247890094248358124823345";
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).unwrap();
    let (width, colors) = (code.width() as u32, code.to_colors());
    let side = 2 * (width + 8);
    let grey = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / 2) as i64 - 4, (y / 2) as i64 - 4);
        let inside = (0..width as i64).contains(&mx) && (0..width as i64).contains(&my);
        let dark = inside && colors[(my * width as i64 + mx) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 30 } else { 230 }])
    });
    let file = |format| {
        let mut seed = vec![0];
        let mut cursor = std::io::Cursor::new(&mut seed);
        cursor.set_position(1);
        grey.write_to(&mut cursor, format).unwrap();
        seed
    };
    let mut pixels = vec![1, side as u8];
    pixels.extend_from_slice(grey.as_raw());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/qr_image");
    for (name, seed) in [
        ("png", file(image::ImageFormat::Png)),
        ("jpeg", file(image::ImageFormat::Jpeg)),
        ("webp", file(image::ImageFormat::WebP)),
        ("pixels", pixels),
    ] {
        let read = match seed[0] {
            0 => decode_qr_image(&seed[1..]).unwrap(),
            _ => decode(&DynamicImage::ImageLuma8(
                GrayImage::from_raw(side, side, seed[2..].to_vec()).unwrap(),
            ))
            .unwrap(),
        };
        assert_eq!(read, text, "{name}");
        let path = dir.join(name);
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &seed).unwrap();
        }
        let on_disk = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_EXPECT=1 writes it)", path.display()));
        assert!(
            on_disk == seed,
            "{} differs (UPDATE_EXPECT=1 rewrites it)",
            path.display()
        );
    }
}
