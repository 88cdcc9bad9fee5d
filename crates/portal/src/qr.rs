//! Drawing a venue code as a QR image.

use std::path::Path;

use crate::error::io;
use crate::{Error, Result};

/// `text` as a QR code (error correction level M) in an SVG to put inline in a page, at least
/// `min_px` wide: for screens, where it is read at arm's length.
pub fn inline_svg(text: &str, min_px: u32) -> Result<String> {
    let svg = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::Qr(e.to_string()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(min_px, min_px)
        .build();
    // Inline in the page, where an XML declaration has no place.
    Ok(match svg.find("<svg") {
        Some(at) => svg[at..].to_owned(),
        None => svg,
    })
}

/// Writes a PNG of `text` as a QR code with error correction level Q (a quarter of the code can
/// be damaged or dirty and it still reads), at least `min_px` pixels wide.
pub fn write_png(text: &str, path: &Path, min_px: u32) -> Result<()> {
    let qr = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::Q)
        .map_err(|e| Error::Qr(e.to_string()))?;
    let image = qr
        .render::<image::Luma<u8>>()
        .quiet_zone(true)
        .min_dimensions(min_px, min_px)
        .build();
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Qr(e.to_string()))?;
    std::fs::write(path, png).map_err(io(path))
}
