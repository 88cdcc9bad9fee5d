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

/// Letters in the order of the Vietnamese alphabet (a ă â b c d đ e ê … ư v x y), with the
/// Latin letters Vietnamese does not use where the Latin alphabet puts them.
const ALPHABET: &[&str] = &[
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
    "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
];

/// The tone marks, in the order Vietnamese dictionaries (and CLDR's Vietnamese collation) list a
/// syllable's tones after the level tone: huyền, hỏi, ngã, sắc, nặng.
const TONES: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];

/// A key that orders text as Vietnamese readers expect, not by code points: letters in the
/// Vietnamese alphabet's order (đ after d, ư after u), case ignored, and tones only to break ties
/// (level, huyền, hỏi, ngã, sắc, nặng). Digits and spaces come first; other characters after
/// the letters.
pub fn vietnamese_order(text: &str) -> (Vec<u32>, Vec<u8>) {
    let mut letters: Vec<u32> = Vec::new();
    let mut tones: Vec<u8> = Vec::new();
    let mut pending: Option<char> = None;
    let letter_of = |base: char, mark: Option<char>| -> u32 {
        let mut l = base.to_string();
        if let Some(m) = mark {
            l.push(m);
        }
        let composed: String = l.nfc().collect();
        match ALPHABET.iter().position(|a| *a == composed) {
            Some(i) => 20 + i as u32,
            None => 1000 + base as u32,
        }
    };
    let flush = |pending: &mut Option<char>, mark: Option<char>, letters: &mut Vec<u32>| {
        if let Some(base) = pending.take() {
            letters.push(letter_of(base, mark));
        }
    };
    for c in text.to_lowercase().nfd() {
        match c {
            // Breve, circumflex, horn: part of the letter (ă, â, ê, ô, ơ, ư).
            '\u{306}' | '\u{302}' | '\u{31b}' => flush(&mut pending, Some(c), &mut letters),
            c if TONES.contains(&c) => {
                if let Some(t) = tones.last_mut() {
                    *t = TONES.iter().position(|m| *m == c).unwrap_or(0) as u8 + 1;
                }
            }
            c if is_combining_mark(c) => {}
            c => {
                flush(&mut pending, None, &mut letters);
                match c {
                    ' ' => letters.push(0),
                    '0'..='9' => letters.push(1 + c as u32 - '0' as u32),
                    'đ' => letters.push(letter_of('đ', None)),
                    c if c.is_alphabetic() => {
                        pending = Some(c);
                        tones.push(0);
                        continue;
                    }
                    c => letters.push(1000 + c as u32),
                }
            }
        }
    }
    flush(&mut pending, None, &mut letters);
    (letters, tones)
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

    #[test]
    fn vietnamese_order_follows_the_alphabet_then_the_tones() {
        let mut names = vec![
            "Ưng", "Uyên", "Đức", "Dũng", "Ân", "Ăn", "An", "Bình", "Ô", "Ơ", "O", "ma", "mà",
            "má", "mả", "mã", "mạ", "Mai", "Ê", "Eo",
        ];
        names.sort_by_key(|n| vietnamese_order(n));
        assert_eq!(
            names,
            [
                "An", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Eo", "Ê", "ma", "mà", "mả", "mã", "má",
                "mạ", "Mai", "O", "Ô", "Ơ", "Uyên", "Ưng",
            ]
        );
        // The same text composed or decomposed, in either case, is the same key.
        assert_eq!(
            vietnamese_order("Hà Nội"),
            vietnamese_order("ha\u{300} no\u{302}\u{323}i")
        );
        // Digits and spaces first.
        let mut mixed = vec!["Tổ 10", "Tổ 2", "Tổ", "Tổng"];
        mixed.sort_by_key(|n| vietnamese_order(n));
        assert_eq!(mixed, ["Tổ", "Tổ 10", "Tổ 2", "Tổng"]);
    }
}
