//! Drawing a venue code as a QR image.

use std::path::Path;

use crate::error::io;
use crate::{Error, Result};

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
