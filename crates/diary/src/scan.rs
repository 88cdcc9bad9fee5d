//! Reading a QR code from an image (a photo or a screenshot of a poster).

use crate::{Error, Result};

/// Photos from phone cameras are large; the QR on a poster stays readable at this size and the
/// decoder's time grows with the pixel count.
const MAX_SIDE: u32 = 1600;

/// Decodes the first QR code found in an image file's bytes (PNG, JPEG or WebP).
pub fn decode_qr_image(bytes: &[u8]) -> Result<String> {
    let image = image::load_from_memory(bytes).map_err(|e| Error::ImageUnreadable(e.to_string()))?;
    let image = if image.width().max(image.height()) > MAX_SIDE {
        image.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let luma = image.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(luma);
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .ok_or(Error::NoQrCode)
}
