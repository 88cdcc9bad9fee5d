//! Images a citizen picks to read a poster's QR code from ("Chọn ảnh mã QR"), as the app decodes
//! them. The first byte chooses how the rest is used: even, as an image file (PNG, JPEG, WebP:
//! the image crate's decoders within the app's limits, then the QR passes); odd, as grey pixels,
//! the second byte the width, straight into the passes (the binarizer, the finder patterns'
//! sets, both samplers, rxing's decoder), so that mutations reach them without a file's
//! decoding in front. The decoder runs each pass under `catch_unwind`, as the app does: a panic
//! it catches is not a crash here (libFuzzer's panic hook would abort on it), but a panic
//! outside a pass, a memory error or a hang is.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static QUIET: std::sync::Once = std::sync::Once::new();
    // libfuzzer-sys's hook aborts on any panic, caught or not; libfuzzer-sys still aborts on a
    // panic that reaches the target's edge.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(text) = diary::decode_qr_image(rest) {
            assert!(!text.is_empty());
        }
    } else if let Some((&width, pixels)) = rest.split_first() {
        if let Some(text) = diary::decode_qr_grey(u32::from(width), pixels.to_vec()) {
            assert!(!text.is_empty());
        }
    }
});
