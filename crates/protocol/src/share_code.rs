//! Share codes as a tracer reads them aloud and a citizen types them.
//!
//! **Version 2** (what portals issue now): 13 characters from 29 that read unambiguously in
//! Vietnamese: the digits and the letters A B C D E G H K M N P Q R S T U V X Y. Vietnamese has
//! no F, J, W or Z, and I, L and O are left out because they read like 1 and 0 (typed, they are
//! taken as those digits). Grouped `XXXX-XXXX-XXXXX`:
//! - 2 characters name the portal that issued it ([`spoken_tag`]);
//! - 10 are random (29^10, about 2^48.6);
//! - the last is a check character: the sum of each character's value times its position
//!   (1 to 13) is a multiple of 29. Because 29 is prime and the weights differ, one wrong
//!   character, and any two characters swapped, always break the sum, so the app says "one
//!   character is wrong" before it asks any portal.
//!
//! **Version 1** (issued before): 12 characters of Crockford's base32, `XXXX-XXXX-XXXX`, no check
//! character. Still read, for requests issued before and portals not yet updated.

use sha2::{Digest, Sha256};

/// The characters of a version 2 code, in value order.
pub const SPOKEN: &[u8; 29] = b"0123456789ABCDEGHKMNPQRSTUVXY";
/// A version 2 code's characters, without hyphens.
pub const SPOKEN_CHARS: usize = 13;
const SPOKEN_RANDOM: usize = 10;
const SPOKEN_TAG_DOMAIN: &[u8] = b"visit-diary/share-code-tag/v2";
/// 13⁻¹ modulo 29: 13 × 9 = 117 = 4 × 29 + 1.
const INVERSE_OF_13: u32 = 9;

/// Why typed text is not a share code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    /// Not the length or the characters of any code.
    NotACode,
    /// A version 2 code whose check character does not match: a character mistyped or misheard,
    /// or two swapped.
    Mistyped,
}

pub(crate) fn value(c: u8) -> Option<u32> {
    SPOKEN.iter().position(|s| *s == c).map(|v| v as u32)
}

/// The weighted sum of `values` (weights 1, 2, 3…) modulo 29.
pub(crate) fn weighted(values: &[u32]) -> u32 {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u32 + 1) * v)
        .sum::<u32>()
        % 29
}

/// The check character for the first 12 characters' values.
fn check_value(values: &[u32]) -> u32 {
    (29 - weighted(values)) % 29 * INVERSE_OF_13 % 29
}

/// The two characters that begin every version 2 code the portal at `portal_url` issues: SHA-256
/// over `visit-diary/share-code-tag/v2` and the URL without a trailing slash, its first two bytes
/// taken modulo 29 each. The app asks only the trusted portal whose tag a code begins with.
pub fn spoken_tag(portal_url: &str) -> String {
    let digest = Sha256::new()
        .chain_update(SPOKEN_TAG_DOMAIN)
        .chain_update(portal_url.trim_end_matches('/').as_bytes())
        .finalize();
    [digest[0], digest[1]]
        .iter()
        .map(|b| SPOKEN[(*b % 29) as usize] as char)
        .collect()
}

/// A version 2 code for the portal at `portal_url` from 8 random bytes the caller provides.
pub fn spoken_code_for(portal_url: &str, random: [u8; 8]) -> String {
    let mut n = u64::from_be_bytes(random);
    let mut chars: Vec<u8> = spoken_tag(portal_url).into_bytes();
    for _ in 0..SPOKEN_RANDOM {
        chars.push(SPOKEN[(n % 29) as usize]);
        n /= 29;
    }
    let values: Vec<u32> = chars.iter().filter_map(|c| value(*c)).collect();
    chars.push(SPOKEN[check_value(&values) as usize]);
    group(&String::from_utf8(chars).expect("ASCII"))
}

fn group(code: &str) -> String {
    format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..])
}

/// A code as a person typed or read it, checked: case, spaces, dots and hyphens do not matter,
/// and the letters that read like digits (O as 0, I and L as 1) are taken as those digits.
/// Either version; a version 2 code's check character must match. Vietnamese letters a
/// keyboard made of the code's letters and digits are read back ([`read_typed`]).
pub fn read_share_code(text: &str) -> Result<String, CodeProblem> {
    read_typed(text, read_share_code_ascii)
}

/// The characters of a typed code, upper case: spaces, dots and hyphens left out, O taken as 0
/// and I and L as 1. [`CodeProblem::NotACode`] for any other character, or past `most`
/// characters.
pub(crate) fn typed_chars(text: &str, most: usize) -> Result<String, CodeProblem> {
    let mut typed = String::new();
    for c in text.trim().chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '.' | '\u{a0}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii_alphanumeric() => c,
            _ => return Err(CodeProblem::NotACode),
        };
        typed.push(c);
        if typed.len() > most {
            return Err(CodeProblem::NotACode);
        }
    }
    Ok(typed)
}

fn read_share_code_ascii(text: &str) -> Result<String, CodeProblem> {
    let typed = typed_chars(text, SPOKEN_CHARS)?;
    match typed.len() {
        crate::share::CODE_CHARS => crate::share::normalize_v1(&typed).ok_or(CodeProblem::NotACode),
        SPOKEN_CHARS => {
            let values: Option<Vec<u32>> = typed.bytes().map(value).collect();
            let values = values.ok_or(CodeProblem::NotACode)?;
            if weighted(&values) != 0 {
                return Err(CodeProblem::Mistyped);
            }
            Ok(group(&typed))
        }
        _ => Err(CodeProblem::NotACode),
    }
}

/// Reads `text` with `read`; where it holds Vietnamese letters, as each text a Vietnamese
/// keyboard may have been given: in Telex `AA`, `EE`, `OO` and `DD` make Â, Ê, Ô and Đ, and `S`,
/// `R`, `X` after a vowel its tones (`AS` is Á); in VNI the digits do (`A1` is Á, `A6` is Â, `D9`
/// is Đ). The check character picks the reading: exactly one that is a code is the code; two
/// are said as a typo, so the person types it again.
pub(crate) fn read_typed<T: PartialEq>(
    text: &str,
    read: impl Fn(&str) -> Result<T, CodeProblem>,
) -> Result<T, CodeProblem> {
    use unicode_normalization::UnicodeNormalization;
    if text.is_ascii() {
        return read(text);
    }
    // Longer than any code with its spaces and hyphens: not one, and not worth expanding (text
    // from anyone reaches here through the portal's API).
    if text.chars().count() > 3 * SPOKEN_CHARS {
        return Err(CodeProblem::NotACode);
    }
    // Pasted text may come decomposed (a letter, then its marks): composed, as a keyboard gives.
    let text: String = text.nfc().collect();
    let mut found: Vec<T> = Vec::new();
    let mut mistyped = false;
    for reading in keyboard_readings(&text) {
        match read(&reading) {
            Ok(code) if !found.contains(&code) => found.push(code),
            Ok(_) => {}
            Err(CodeProblem::Mistyped) => mistyped = true,
            Err(CodeProblem::NotACode) => {}
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 if !mistyped => Err(CodeProblem::NotACode),
        _ => Err(CodeProblem::Mistyped),
    }
}

/// The texts of ASCII letters and digits a Telex or VNI keyboard turns into `text` (at most 64;
/// none when a character is not one such a keyboard makes).
fn keyboard_readings(text: &str) -> Vec<String> {
    let mut readings = vec![String::new()];
    for c in text.chars() {
        let options = if c.is_ascii() {
            vec![c.to_string()]
        } else if c.is_whitespace() {
            // A non-breaking or other space, pasted: a space, which the readers skip.
            vec![" ".to_owned()]
        } else {
            keyboard_letters(c)
        };
        if options.is_empty() {
            return Vec::new();
        }
        readings = readings
            .iter()
            .flat_map(|r| options.iter().map(move |o| format!("{r}{o}")))
            .collect();
        if readings.len() > 64 {
            return Vec::new();
        }
    }
    readings
}

/// What was typed for one Vietnamese letter: its Telex keys, then its VNI keys.
fn keyboard_letters(c: char) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    if c == 'đ' || c == 'Đ' {
        return vec!["DD".into(), "D9".into()];
    }
    let parts: Vec<char> = c.nfd().collect();
    let base = parts[0].to_ascii_uppercase();
    if !base.is_ascii_alphabetic() {
        return Vec::new();
    }
    let (mut telex, mut vni) = (base.to_string(), base.to_string());
    // The vowel's own mark first (circumflex, breve, horn), then its tone, as both are typed.
    for mark in &parts[1..] {
        match mark {
            '\u{302}' => {
                telex.push(base);
                vni.push('6');
            }
            '\u{306}' => {
                telex.push('W');
                vni.push('8');
            }
            '\u{31B}' => {
                telex.push('W');
                vni.push('7');
            }
            _ => {}
        }
    }
    for mark in &parts[1..] {
        let (t, v) = match mark {
            '\u{301}' => ('S', '1'),
            '\u{300}' => ('F', '2'),
            '\u{309}' => ('R', '3'),
            '\u{303}' => ('X', '4'),
            '\u{323}' => ('J', '5'),
            '\u{302}' | '\u{306}' | '\u{31B}' => continue,
            _ => return Vec::new(),
        };
        telex.push(t);
        vni.push(v);
    }
    vec![telex, vni]
}

/// Whether `code` (as [`read_share_code`] gives it) carries the tag of the portal at
/// `portal_url`, in its version's alphabet.
pub fn code_is_from(code: &str, portal_url: &str) -> bool {
    if code.replace('-', "").len() == SPOKEN_CHARS {
        code.starts_with(&spoken_tag(portal_url))
    } else {
        code.starts_with(&crate::share::code_tag(portal_url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://yte.caobang.example";

    #[test]
    fn every_code_checks_and_names_its_portal() {
        let tag = spoken_tag(PORTAL);
        assert_eq!(tag, spoken_tag("https://yte.caobang.example/"));
        for n in 0..200u64 {
            let code = spoken_code_for(PORTAL, n.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
            assert_eq!(code.len(), 15, "{code}");
            assert!(
                code.starts_with(&tag) && code_is_from(&code, PORTAL),
                "{code}"
            );
            assert!(
                code.bytes().all(|c| c == b'-' || SPOKEN.contains(&c)),
                "{code}"
            );
            assert_eq!(read_share_code(&code), Ok(code.clone()));
            assert_eq!(
                read_share_code(&code.to_lowercase().replace('-', " ")),
                Ok(code.clone())
            );
        }
    }

    /// Every single wrong character and every swap of two different characters is caught, in
    /// every position, for a sample of codes.
    #[test]
    fn one_wrong_or_two_swapped_characters_are_caught() {
        for n in 0..40u64 {
            let code = spoken_code_for(PORTAL, n.wrapping_mul(0x2545_F491_4F6C_DD1D).to_be_bytes());
            let plain: Vec<u8> = code.bytes().filter(|c| *c != b'-').collect();
            for i in 0..SPOKEN_CHARS {
                for s in SPOKEN.iter().filter(|s| **s != plain[i]) {
                    let mut wrong = plain.clone();
                    wrong[i] = *s;
                    let text = String::from_utf8(wrong).unwrap();
                    assert_eq!(read_share_code(&text), Err(CodeProblem::Mistyped), "{text}");
                }
                for j in i + 1..SPOKEN_CHARS {
                    if plain[i] == plain[j] {
                        continue;
                    }
                    let mut swapped = plain.clone();
                    swapped.swap(i, j);
                    let text = String::from_utf8(swapped).unwrap();
                    assert_eq!(read_share_code(&text), Err(CodeProblem::Mistyped), "{text}");
                }
            }
        }
    }

    /// Typed on a Vietnamese keyboard (Telex `DD` is Đ, `AS` is Á; VNI `E6` is Ê), a code reads.
    #[test]
    fn a_code_typed_on_a_vietnamese_keyboard_still_reads() {
        let (mut seen, mut read_back) = (0, 0);
        for n in 0..5000u64 {
            let code = spoken_code_for(PORTAL, n.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
            let typed = code
                .replace("DD", "Đ")
                .replace("AS", "Á")
                .replace("E6", "Ê");
            if typed == code {
                continue;
            }
            seen += 1;
            match read_share_code(&typed.to_lowercase()) {
                Ok(read) => {
                    assert_eq!(read, code, "{typed}");
                    read_back += 1;
                }
                Err(problem) => assert_eq!(problem, CodeProblem::Mistyped, "{typed}"),
            }
        }
        assert!(
            seen > 50 && read_back * 10 > seen * 9,
            "{read_back} of {seen}"
        );
    }

    /// Pasted with a non-breaking space or in decomposed form, a code reads; very long text with
    /// a Vietnamese letter is no code, and is not expanded.
    #[test]
    fn pasted_codes_read_and_long_text_is_refused_at_once() {
        let code = spoken_code_for(PORTAL, [5; 8]);
        assert_eq!(
            read_share_code(&code.replace('-', "\u{a0}")),
            Ok(code.clone())
        );
        assert_eq!(
            read_share_code(&format!("\u{2003}{code}\u{a0}")),
            Ok(code.clone())
        );
        // Decomposed (a letter, then its mark) reads as composed does.
        use unicode_normalization::UnicodeNormalization;
        let mut compared = 0;
        for n in 0..3000u64 {
            let code = spoken_code_for(PORTAL, n.wrapping_mul(0x2545_F491_4F6C_DD1D).to_be_bytes());
            let typed = code.replace("AS", "Á").replace("EE", "Ê");
            if typed != code {
                let decomposed: String = typed.nfd().collect();
                assert_ne!(decomposed, typed);
                assert_eq!(read_share_code(&decomposed), read_share_code(&typed));
                compared += 1;
            }
        }
        assert!(compared > 20, "{compared}");
        let long = format!("{}{}", "Á".repeat(6), "A".repeat(400_000));
        let started = std::time::Instant::now();
        assert_eq!(read_share_code(&long), Err(CodeProblem::NotACode));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn what_is_no_code_says_so() {
        let code = spoken_code_for(PORTAL, [7; 8]);
        for bad in [
            "",
            "ABCD",
            &code[..code.len() - 1].replace('-', "x"),
            &format!("{code}0"),
            // F, J, W and Z are no letters of a version 2 code.
            "FFFF-FFFF-FFFFF",
            "ÀBCD-EFGH-JKMNP",
        ] {
            assert_eq!(read_share_code(bad), Err(CodeProblem::NotACode), "{bad}");
        }
        // O, I and L typed for 0 and 1 are read as those digits.
        let with_digits = spoken_code_for(PORTAL, [0; 8]);
        let typed = with_digits.replace('0', "O").replace('1', "l");
        assert_eq!(read_share_code(&typed), Ok(with_digits));
        // Version 1 codes still read, and name their portal by the old tag.
        let old = crate::share::share_code_for(PORTAL, [9; 8]);
        assert_eq!(read_share_code(&old), Ok(old.clone()));
        assert!(code_is_from(&old, PORTAL));
        assert!(!code_is_from(&old, "https://yte.langson.example"));
    }
}
