//! Folding text for search, the same in the app and the portal.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case without accents, `đ` as `d`, runs of spaces as one: what search compares, so that
/// "ha noi" finds "Hà Nội".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(fold("  Hà   Nội "), "ha noi");
        assert_eq!(fold("Đường Đồng Khởi"), "duong dong khoi");
        assert_eq!(fold("QUÁN CÀ PHÊ"), "quan ca phe");
        assert_eq!(
            fold("Ủy ban nhân dân Phường Thục Phán"),
            "uy ban nhan dan phuong thuc phan"
        );
        // Decomposed input (as some keyboards send it) folds the same way.
        assert_eq!(fold("Ha\u{300} No\u{302}\u{323}i"), "ha noi");
    }
}
