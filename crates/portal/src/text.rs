//! Text as staff type it and as spreadsheets read it.

use unicode_normalization::UnicodeNormalization;

pub use protocol::text::fold;

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
