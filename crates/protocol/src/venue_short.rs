//! A venue's short code: the characters printed under a poster's QR code, for a person whose
//! phone will not scan it to type.
//!
//! Eleven characters of the share codes' alphabet ([`SPOKEN`]: digits, and the letters that read
//! unambiguously in Vietnamese), grouped `XXX-XXXX-XXXX`:
//! - 2 name the portal that registered the venue, the same tag as its share codes
//!   ([`spoken_tag`]);
//! - 4 are the venue's number at that portal, in base 29, most significant first (the portal
//!   numbers its venues 1, 2, 3… as they are registered; up to 29⁴ − 1 = 707 280);
//! - 4 are a secret the portal drew for the venue (29⁴ values), printed only on its poster and
//!   its page in the portal;
//! - the last is a check character, as the share codes': the sum of each character's value
//!   times its position (1 to 11) is a multiple of 29, so one wrong character, and any two
//!   swapped, are a typo the app names before it asks anyone.
//!
//! The app asks the portal for the whole block of [`BLOCK`] numbers the code falls in (so the
//! portal learns which block, not which venue). The block lists each venue's signed code sealed
//! under a key stretched from its whole short code with Argon2id ([`entry_key`]): only someone
//! holding the poster's code reads its entry, and reading the others means trying their 29⁴
//! secrets each through Argon2id. The app then checks the code exactly as a scanned one.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use serde::{Deserialize, Serialize};

use crate::share_code::{
    read_typed, spoken_tag, typed_chars, value, weighted, CodeProblem, SPOKEN,
};

/// Characters of a short code, without hyphens.
pub const SHORT_CHARS: usize = 11;
const TAG_CHARS: usize = 2;
const NUMBER_CHARS: usize = 4;
/// The largest venue number, and the largest secret, a short code holds: 29⁴ − 1.
pub const MAX_NUMBER: u32 = 29 * 29 * 29 * 29 - 1;
pub const MAX_SECRET: u32 = MAX_NUMBER;
/// How many venue numbers the app asks a portal for at once.
pub const BLOCK: u32 = 64;
/// 11⁻¹ modulo 29: 11 × 8 = 88 = 3 × 29 + 1.
const INVERSE_OF_11: u32 = 8;
const DOMAIN: &[u8] = b"visit-diary/venue-short/v1";
/// Argon2id's cost for an entry's key: 8 MiB, two passes. About 15 ms on a phone's core, once per
/// typed code; 29⁴ times that for each entry someone reads without its poster.
const KDF_MEMORY_KIB: u32 = 8 * 1024;
const KDF_PASSES: u32 = 2;

/// A short code as typed, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortCode {
    /// The code as printed, `XXX-XXXX-XXXX`.
    pub code: String,
    /// The tag of the portal that registered the venue.
    pub tag: String,
    /// The venue's number at that portal.
    pub number: u32,
}

impl ShortCode {
    /// The short code of venue `number` at the portal at `portal_url` with its `secret`; `None`
    /// past [`MAX_NUMBER`] or [`MAX_SECRET`].
    pub fn of(portal_url: &str, number: u32, secret: u32) -> Option<ShortCode> {
        if number > MAX_NUMBER || secret > MAX_SECRET {
            return None;
        }
        let tag = spoken_tag(portal_url);
        let mut chars: Vec<u8> = tag.clone().into_bytes();
        digits(&mut chars, number);
        digits(&mut chars, secret);
        let values: Vec<u32> = chars.iter().filter_map(|c| value(*c)).collect();
        let check = (29 - weighted(&values)) % 29 * INVERSE_OF_11 % 29;
        chars.push(SPOKEN[check as usize]);
        let text = String::from_utf8(chars).expect("ASCII");
        Some(ShortCode {
            code: group(&text),
            tag,
            number,
        })
    }

    /// The block of numbers the app asks for: `number / BLOCK`.
    pub fn block(&self) -> u32 {
        self.number / BLOCK
    }
}

/// `n` (a number or a secret) as four base-29 characters, most significant first.
fn digits(chars: &mut Vec<u8>, n: u32) {
    for place in (0..NUMBER_CHARS as u32).rev() {
        chars.push(SPOKEN[(n / 29u32.pow(place) % 29) as usize]);
    }
}

fn group(code: &str) -> String {
    format!("{}-{}-{}", &code[..3], &code[3..7], &code[7..])
}

/// Text a person typed, read as a short code: case, spaces, dots and hyphens do not matter,
/// and O, I and L are taken as 0 and 1; Vietnamese letters a keyboard made of the code's are read
/// back (`share_code::read_typed`). [`CodeProblem::NotACode`] for text of another length or
/// other characters (a link, a share code); [`CodeProblem::Mistyped`] when the check character
/// does not match.
pub fn read_venue_short(text: &str) -> Result<ShortCode, CodeProblem> {
    read_typed(text, read_ascii)
}

fn read_ascii(text: &str) -> Result<ShortCode, CodeProblem> {
    let typed = typed_chars(text, SHORT_CHARS)?;
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
    let number = values[TAG_CHARS..TAG_CHARS + NUMBER_CHARS]
        .iter()
        .fold(0, |n, v| n * 29 + v);
    Ok(ShortCode {
        code: group(&typed),
        tag: typed[..TAG_CHARS].to_owned(),
        number,
    })
}

/// The key that seals a venue's entry in its block: Argon2id over the whole short code.
pub fn entry_key(short: &ShortCode) -> [u8; 32] {
    let params = Params::new(KDF_MEMORY_KIB, KDF_PASSES, 1, Some(32)).expect("valid parameters");
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(short.code.replace('-', "").as_bytes(), DOMAIN, &mut key)
        .expect("a 32-byte key from a valid password and salt");
    key
}

fn aad(number: u32) -> Vec<u8> {
    [DOMAIN, &number.to_be_bytes()].concat()
}

/// Entries are padded to a multiple of this many bytes, so that their lengths do not tell the
/// lengths of names and addresses apart.
const PAD_TO: usize = 512;

/// Venue `number`'s signed code sealed under `key` (ChaCha20-Poly1305, the number bound in), with
/// the caller's random `nonce`: base64url of the nonce and the ciphertext. The code is padded
/// with spaces to a multiple of [`PAD_TO`] bytes.
pub fn seal_entry(key: &[u8; 32], nonce: [u8; 12], number: u32, venue_code: &str) -> String {
    let mut padded = venue_code.trim_end().as_bytes().to_vec();
    padded.resize(padded.len().div_ceil(PAD_TO).max(1) * PAD_TO, b' ');
    let sealed = ChaCha20Poly1305::new(key.into())
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &padded,
                aad: &aad(number),
            },
        )
        .expect("a venue code fits");
    URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat())
}

/// The venue code in an entry, if `key` opens it.
pub fn open_entry(key: &[u8; 32], number: u32, sealed: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let plain = ChaCha20Poly1305::new(key.into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad(number),
            },
        )
        .ok()?;
    String::from_utf8(plain)
        .ok()
        .map(|code| code.trim_end_matches(' ').to_owned())
}

/// What a portal answers to `GET /api/v1/venue-blocks/{block}`: for each active venue whose
/// number is in the block, its signed venue code (its poster's QR code) sealed under its
/// [`entry_key`].
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
    /// [`seal_entry`]'s text.
    pub sealed: String,
}

/// The most of a block's answer the app reads: 64 sealed venue codes of a few hundred bytes each.
pub const MAX_BLOCK_ANSWER_BYTES: u64 = 128 * 1024;

impl BlockAnswer {
    /// The venue code of `short` in this answer: its entry, opened with the key its whole code
    /// gives. `None` when the answer is for another block, has no such number, or the entry does
    /// not open (a code whose secret is not the poster's).
    pub fn code_of(&self, short: &ShortCode) -> Option<String> {
        if self.block != short.block() {
            return None;
        }
        let entry = self.venues.iter().find(|v| v.number == short.number)?;
        open_entry(&entry_key(short), short.number, &entry.sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://yte.caobang.example";

    fn code(number: u32, secret: u32) -> String {
        ShortCode::of(PORTAL, number, secret).unwrap().code
    }

    #[test]
    fn every_number_reads_back_with_its_portal_and_block() {
        let tag = spoken_tag(PORTAL);
        for (number, secret) in (0..2000)
            .map(|n: u32| (n, n.wrapping_mul(2_654_435_761) % (MAX_SECRET + 1)))
            .chain([(64, 0), (127, MAX_SECRET), (MAX_NUMBER, MAX_SECRET)])
        {
            let short = ShortCode::of(PORTAL, number, secret).unwrap();
            assert_eq!(short.code.len(), 13, "{}", short.code);
            assert!(short.code.starts_with(&tag), "{}", short.code);
            let read = read_venue_short(&short.code).unwrap();
            assert_eq!(read, short);
            assert_eq!(read.block(), number / 64);
            let typed = short.code.to_lowercase().replace('-', " ");
            assert_eq!(read_venue_short(&typed), Ok(short));
        }
        assert_eq!(ShortCode::of(PORTAL, MAX_NUMBER + 1, 0), None);
        assert_eq!(ShortCode::of(PORTAL, 0, MAX_SECRET + 1), None);
        // The number follows the tag.
        assert_eq!(&code(1, 0).replace('-', "")[2..6], "0001");
    }

    #[test]
    fn one_wrong_or_two_swapped_characters_are_a_typo() {
        for (number, secret) in [(1, 5), (42, 70_000), (4000, 1), (MAX_NUMBER, MAX_SECRET)] {
            let plain: Vec<u8> = code(number, secret)
                .bytes()
                .filter(|c| *c != b'-')
                .collect();
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
        let good = code(42, 9);
        for bad in [
            "",
            "AB-12",
            &format!("{good}0"),
            "https://yte.caobang.example/v/2#abc",
            // A share code is longer.
            &crate::spoken_code_for(PORTAL, [7; 8]),
            "FFF-FFFF-FFFF",
            "ÀB0-0001-2345",
        ] {
            assert_eq!(read_venue_short(bad), Err(CodeProblem::NotACode), "{bad}");
        }
        // O and l typed for 0 and 1.
        let one = code(1, 10);
        let typed = one.replace('0', "O").replace('1', "l");
        assert_eq!(read_venue_short(&typed).unwrap().code, one);
    }

    /// A Vietnamese keyboard turns some of a code's letters into Vietnamese ones as it is typed
    /// (Telex: `AS` is Á, `DD` is Đ, `EE` is Ê; VNI: `A1` is Á): the code is still read.
    #[test]
    fn a_code_typed_on_a_vietnamese_keyboard_still_reads() {
        let (mut seen, mut read_back) = (0, 0);
        for n in 0..20_000u32 {
            let short = ShortCode::of(PORTAL, n, n.wrapping_mul(7919) % MAX_SECRET).unwrap();
            let typed = short
                .code
                .replace("AS", "Á")
                .replace("ES", "É")
                .replace("AR", "Ả")
                .replace("UX", "Ũ")
                .replace("DD", "Đ")
                .replace("EE", "Ê")
                .replace("A1", "Á")
                .replace("E6", "Ê");
            if typed == short.code {
                continue;
            }
            seen += 1;
            match read_venue_short(&typed) {
                Ok(read) => {
                    assert_eq!(read, short, "{typed}");
                    read_back += 1;
                }
                // Two readings both codes: asked again, never a wrong venue.
                Err(problem) => assert_eq!(problem, CodeProblem::Mistyped, "{typed}"),
            }
        }
        assert!(seen > 200, "{seen}");
        // Both readings a code is rare (about one in 29).
        assert!(read_back * 10 > seen * 9, "{read_back} of {seen}");
        // A letter no keyboard makes of a code's is still no code.
        assert_eq!(
            read_venue_short("Ø00-0001-0000"),
            Err(CodeProblem::NotACode)
        );
    }

    /// The fuzz target's seeds typed on a Vietnamese keyboard are codes that read, so that the
    /// fuzzer starts from the readings, not from refusals.
    #[test]
    fn the_fuzz_seeds_typed_on_vietnamese_keyboards_read() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/typed_code");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("venue-short") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(read_venue_short(&text).is_ok(), "{name}: {text:?}");
                read += 1;
            }
        }
        assert!(read >= 8, "{read}");
        let example = std::fs::read_to_string(format!("{dir}/example-not-a-code")).unwrap();
        assert_eq!(read_venue_short(&example), Err(CodeProblem::Mistyped));
    }

    /// Only the whole code opens its entry: another secret, another number or another block does
    /// not, and a changed byte is refused.
    #[test]
    fn an_entry_opens_with_its_own_code_only() {
        let short = ShortCode::of(PORTAL, 70, 123_456).unwrap();
        let venue = "https://yte.caobang.example/v/2#0123";
        let sealed = seal_entry(&entry_key(&short), [7; 12], 70, venue);
        let answer = |venues: Vec<BlockVenue>| BlockAnswer { block: 1, venues };
        let entry = BlockVenue {
            number: 70,
            sealed: sealed.clone(),
        };
        assert_eq!(
            answer(vec![entry.clone()]).code_of(&short).as_deref(),
            Some(venue)
        );
        // A longer code seals to the same length: lengths tell names apart no more.
        let longer = format!("{venue}{}", "9".repeat(200));
        let longer = seal_entry(&entry_key(&short), [7; 12], 70, &longer);
        assert_eq!(longer.len(), sealed.len());
        let other_secret = ShortCode::of(PORTAL, 70, 123_457).unwrap();
        assert_eq!(answer(vec![entry.clone()]).code_of(&other_secret), None);
        // Moved to another number, it does not open (the number is bound in).
        let moved = BlockVenue {
            number: 71,
            sealed: sealed.clone(),
        };
        let seventy_one = ShortCode::of(PORTAL, 71, 123_456).unwrap();
        assert_eq!(answer(vec![moved]).code_of(&seventy_one), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        bytes[20] ^= 1;
        let tampered = BlockVenue {
            number: 70,
            sealed: URL_SAFE_NO_PAD.encode(bytes),
        };
        assert_eq!(answer(vec![tampered]).code_of(&short), None);
        let elsewhere = BlockAnswer {
            block: 2,
            venues: vec![entry],
        };
        assert_eq!(elsewhere.code_of(&short), None);
    }
}
