//! A venue's short code: the few characters printed under a poster's QR code, for a person whose
//! phone will not scan it to type.
//!
//! Seven characters of the share codes' alphabet ([`SPOKEN`]: digits, and the letters that read
//! unambiguously in Vietnamese), grouped `XX-XXXX-X`:
//! - 2 name the portal that registered the venue, the same tag as its share codes
//!   ([`spoken_tag`]);
//! - 4 are the venue's number at that portal, in base 29, most significant first (the portal
//!   numbers its venues 1, 2, 3… as they are registered; up to 29⁴ − 1 = 707 280);
//! - the last is a check character, as the share codes': the sum of each character's value
//!   times its position (1 to 7) is a multiple of 29, so one wrong character, and any two
//!   swapped, are a typo the app names before it asks anyone.
//!
//! The short code is not signed and says nothing about the venue: the app asks the portal for
//! the venue codes of a whole block of [`BLOCK`] numbers (so the portal learns which block, not
//! which venue) and checks the one it wants exactly as a scanned code.

use serde::{Deserialize, Serialize};

use crate::share_code::{spoken_tag, value, weighted, CodeProblem, SPOKEN};

/// Characters of a short code, without hyphens.
pub const SHORT_CHARS: usize = 7;
const NUMBER_CHARS: usize = 4;
/// The largest venue number a short code holds: 29⁴ − 1.
pub const MAX_NUMBER: u32 = 29 * 29 * 29 * 29 - 1;
/// How many venue numbers the app asks a portal for at once.
pub const BLOCK: u32 = 64;
/// 7⁻¹ modulo 29: 7 × 25 = 175 = 6 × 29 + 1.
const INVERSE_OF_7: u32 = 25;

/// What a portal answers to `GET /api/v1/venue-blocks/{block}`: the signed venue code of each
/// active venue whose number is in the block (its poster's QR code, as the app would scan it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockAnswer {
    pub block: u32,
    pub venues: Vec<BlockVenue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockVenue {
    pub number: u32,
    pub code: String,
}

/// The most of a block's answer the app reads: 64 venue codes of a few hundred bytes each.
pub const MAX_BLOCK_ANSWER_BYTES: u64 = 128 * 1024;

impl BlockAnswer {
    /// The venue code of `short` in this answer, if the answer is for its block and has it.
    pub fn code_of(&self, short: &ShortCode) -> Option<&str> {
        if self.block != short.block() {
            return None;
        }
        self.venues
            .iter()
            .find(|v| v.number == short.number)
            .map(|v| v.code.as_str())
    }
}

/// A short code as typed, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortCode {
    /// The code as printed, `XX-XXXX-X`.
    pub code: String,
    /// The tag of the portal that registered the venue.
    pub tag: String,
    /// The venue's number at that portal.
    pub number: u32,
}

impl ShortCode {
    /// The block of numbers the app asks for: `number / BLOCK`.
    pub fn block(&self) -> u32 {
        self.number / BLOCK
    }
}

/// The short code of venue `number` at the portal at `portal_url`; `None` past [`MAX_NUMBER`].
pub fn venue_short_code(portal_url: &str, number: u32) -> Option<String> {
    if number > MAX_NUMBER {
        return None;
    }
    let mut chars: Vec<u8> = spoken_tag(portal_url).into_bytes();
    for place in (0..NUMBER_CHARS as u32).rev() {
        chars.push(SPOKEN[(number / 29u32.pow(place) % 29) as usize]);
    }
    let values: Vec<u32> = chars.iter().filter_map(|c| value(*c)).collect();
    let check = (29 - weighted(&values)) % 29 * INVERSE_OF_7 % 29;
    chars.push(SPOKEN[check as usize]);
    let text = String::from_utf8(chars).expect("ASCII");
    Some(group(&text))
}

fn group(code: &str) -> String {
    format!("{}-{}-{}", &code[..2], &code[2..6], &code[6..])
}

/// Text a person typed, read as a short code: case, spaces, dots and hyphens do not matter,
/// and O, I and L are taken as 0 and 1. [`CodeProblem::NotACode`] for text of another length or
/// other characters (a link, a share code); [`CodeProblem::Mistyped`] when the check character
/// does not match.
pub fn read_venue_short(text: &str) -> Result<ShortCode, CodeProblem> {
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
        if typed.len() > SHORT_CHARS {
            return Err(CodeProblem::NotACode);
        }
    }
    if typed.len() != SHORT_CHARS {
        return Err(CodeProblem::NotACode);
    }
    let values: Vec<u32> = typed
        .bytes()
        .map(value)
        .collect::<Option<_>>()
        .ok_or(CodeProblem::NotACode)?;
    if weighted(&values) != 0 {
        return Err(CodeProblem::Mistyped);
    }
    let number = values[2..2 + NUMBER_CHARS]
        .iter()
        .fold(0, |n, v| n * 29 + v);
    Ok(ShortCode {
        code: group(&typed),
        tag: typed[..2].to_owned(),
        number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://yte.caobang.example";

    #[test]
    fn every_number_reads_back_with_its_portal_and_block() {
        let tag = spoken_tag(PORTAL);
        for number in (0..3000).chain([64, 127, 128, MAX_NUMBER - 1, MAX_NUMBER]) {
            let code = venue_short_code(PORTAL, number).unwrap();
            assert_eq!(code.len(), 9, "{code}");
            assert!(code.starts_with(&format!("{tag}-")), "{code}");
            let read = read_venue_short(&code).unwrap();
            assert_eq!((read.number, &read.tag, &read.code), (number, &tag, &code));
            assert_eq!(read.block(), number / 64);
            let typed = code.to_lowercase().replace('-', " ");
            assert_eq!(read_venue_short(&typed), Ok(read));
        }
        assert_eq!(venue_short_code(PORTAL, MAX_NUMBER + 1), None);
        // Numbers in order: the first venues' codes differ only in their last characters.
        assert_eq!(&venue_short_code(PORTAL, 1).unwrap()[3..7], "0001");
        assert_eq!(&venue_short_code(PORTAL, 29).unwrap()[3..7], "0010");
    }

    #[test]
    fn one_wrong_or_two_swapped_characters_are_a_typo() {
        for number in [1, 42, 4000, 123_456, MAX_NUMBER] {
            let code = venue_short_code(PORTAL, number).unwrap();
            let plain: Vec<u8> = code.bytes().filter(|c| *c != b'-').collect();
            for i in 0..SHORT_CHARS {
                for s in SPOKEN.iter().filter(|s| **s != plain[i]) {
                    let mut wrong = plain.clone();
                    wrong[i] = *s;
                    let text = String::from_utf8(wrong).unwrap();
                    assert_eq!(
                        read_venue_short(&text),
                        Err(CodeProblem::Mistyped),
                        "{text}"
                    );
                }
                for j in i + 1..SHORT_CHARS {
                    if plain[i] != plain[j] {
                        let mut swapped = plain.clone();
                        swapped.swap(i, j);
                        let text = String::from_utf8(swapped).unwrap();
                        assert_eq!(
                            read_venue_short(&text),
                            Err(CodeProblem::Mistyped),
                            "{text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn what_is_no_short_code_says_so() {
        let code = venue_short_code(PORTAL, 42).unwrap();
        for bad in [
            "",
            "AB-12",
            &format!("{code}0"),
            "https://yte.caobang.example/v/2#abc",
            // A share code is longer.
            &crate::spoken_code_for(PORTAL, [7; 8]),
            "FF-FFFF-F",
            "ÀB-0001-2",
        ] {
            assert_eq!(read_venue_short(bad), Err(CodeProblem::NotACode), "{bad}");
        }
        // O and l typed for 0 and 1.
        let one = venue_short_code(PORTAL, 1).unwrap();
        let typed = one.replace('0', "O").replace('1', "l");
        assert_eq!(read_venue_short(&typed).unwrap().code, one);
    }
}
