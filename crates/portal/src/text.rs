//! Text as staff type it and as spreadsheets read it.

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

/// One spelling of each Vietnamese letter (NFC), trimmed, inner runs of white space as one space.
pub fn clean(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect()
}

/// A cell a spreadsheet will not run as a formula: text that begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading apostrophe (the OWASP advice for CSV injection).
pub fn csv_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(fold("  Hà   Nội "), "ha noi");
        assert_eq!(fold("Đường Đồng Khởi"), "duong dong khoi");
        assert_eq!(fold("QUÁN CÀ PHÊ"), "quan ca phe");
        // Decomposed input (as some keyboards send it) folds the same way.
        assert_eq!(fold("Ha\u{300} No\u{302}\u{323}i"), "ha noi");
    }

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for bad in ["=1+1", "+84 912", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(bad), format!("'{bad}"));
        }
        for good in ["Quán Cô Ba", "0912 345 678", "", "a=b"] {
            assert_eq!(csv_cell(good), good);
        }
    }

    #[test]
    fn cleaning_trims_and_composes() {
        assert_eq!(clean("  Quán \n  Cô Ba "), "Quán Cô Ba");
        assert_eq!(clean("Ha\u{300}"), "Hà");
    }
}
