//! The text coding of venue code v2: names and streets in about 5.5 bits a character instead of
//! UTF-8's 8 to 24.
//!
//! Each character is a symbol of a fixed table: printable ASCII (0x20–0x7E), the 67 Vietnamese
//! letters with their marks (small, then capital: `VIETNAMESE`), six signs (`– “ ” ‘ ’ …`), and an
//! escape. A character outside the table is the escape followed by its Unicode scalar value in 21
//! bits. Symbols are written with a canonical Huffman code (the code lengths in `tables.rs`, one
//! table after a letter of the table and one anywhere else), most significant bit first. The last
//! byte is filled with 1 bits; as every table's longest code is longer than 7 bits, the filling
//! never reads as a symbol. One text has one encoding: the reader refuses an escape for a
//! character the table has, and filling of 8 bits or more or with a 0 bit.

mod tables;

use std::sync::OnceLock;

use tables::SYMBOLS;

const VIETNAMESE: &str = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ\
                          ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ";
const SIGNS: &str = "–“”‘’…";
const ESCAPE: usize = SYMBOLS - 1;
const SCALAR_BITS: u32 = 21;

/// Why a text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// The bits end inside a symbol other than in the filling.
    Truncated,
    /// An escape for a character the table has, or for no character.
    Escape,
    /// Filling of 8 bits or more, or with a 0 bit.
    Filling,
}

/// One Huffman table: the code of each symbol and, for reading, the symbols by code.
struct Table {
    /// (code, length) by symbol.
    codes: Vec<(u32, u8)>,
    /// How many codes have each length.
    count: Vec<u32>,
    /// The symbols in the order of their codes.
    sorted: Vec<usize>,
}

impl Table {
    fn canonical(lengths: &[u8; SYMBOLS]) -> Table {
        let max = *lengths.iter().max().expect("a table") as usize;
        let mut sorted: Vec<usize> = (0..SYMBOLS).collect();
        sorted.sort_by_key(|&s| (lengths[s], s));
        let mut count = vec![0u32; max + 1];
        for &l in lengths {
            count[l as usize] += 1;
        }
        let mut codes = vec![(0, 0); SYMBOLS];
        let (mut code, mut len) = (0u32, 0u8);
        for &s in &sorted {
            code <<= lengths[s] - len;
            len = lengths[s];
            codes[s] = (code, len);
            code += 1;
        }
        Table {
            codes,
            count,
            sorted,
        }
    }
}

struct Alphabet {
    chars: Vec<char>,
    tables: [Table; 2],
}

fn alphabet() -> &'static Alphabet {
    static ALPHABET: OnceLock<Alphabet> = OnceLock::new();
    ALPHABET.get_or_init(|| {
        let chars: Vec<char> = (0x20u8..0x7f)
            .map(char::from)
            .chain(VIETNAMESE.chars())
            .chain(SIGNS.chars())
            .collect();
        assert_eq!(chars.len(), ESCAPE, "the table's characters");
        Alphabet {
            chars,
            tables: [
                Table::canonical(&tables::OTHER),
                Table::canonical(&tables::AFTER_LETTER),
            ],
        }
    })
}

fn symbol_of(c: char) -> Option<usize> {
    let a = alphabet();
    match c {
        ' '..='~' => Some(c as usize - 0x20),
        _ => a.chars[95..].iter().position(|&t| t == c).map(|i| i + 95),
    }
}

/// The coding for readers in other languages (the browser page a poster opens without the app):
/// the table's characters in symbol order (the escape, last, has none), and each table's code
/// lengths by symbol, the table for everywhere but after a letter first.
pub fn definition() -> (String, [&'static [u8]; 2]) {
    (
        alphabet().chars.iter().collect(),
        [&tables::OTHER, &tables::AFTER_LETTER],
    )
}

/// The table a character is written with: after a letter of the table, or anywhere else.
fn context(prev: Option<char>) -> usize {
    prev.is_some_and(|c| c.is_ascii_alphabetic() || VIETNAMESE.contains(c)) as usize
}

struct Writer {
    bytes: Vec<u8>,
    bits: u64,
    used: u32,
}

impl Writer {
    fn put(&mut self, value: u32, len: u32) {
        self.bits = (self.bits << len) | u64::from(value);
        self.used += len;
        while self.used >= 8 {
            self.used -= 8;
            self.bytes.push((self.bits >> self.used) as u8);
        }
    }
}

/// The text in the coding.
pub fn encode(text: &str) -> Vec<u8> {
    let a = alphabet();
    let mut w = Writer {
        bytes: Vec::with_capacity(text.len()),
        bits: 0,
        used: 0,
    };
    let mut prev = None;
    for c in text.chars() {
        let table = &a.tables[context(prev)];
        match symbol_of(c) {
            Some(s) => {
                let (code, len) = table.codes[s];
                w.put(code, len.into());
            }
            None => {
                let (code, len) = table.codes[ESCAPE];
                w.put(code, len.into());
                w.put(c as u32, SCALAR_BITS);
            }
        }
        prev = Some(c);
    }
    if w.used > 0 {
        let fill = 8 - w.used;
        w.put((1 << fill) - 1, fill);
    }
    w.bytes
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn bit(&mut self) -> Option<u32> {
        let byte = self.bytes.get(self.at / 8)?;
        let bit = (byte >> (7 - self.at % 8)) & 1;
        self.at += 1;
        Some(bit.into())
    }

    fn left(&self) -> usize {
        self.bytes.len() * 8 - self.at
    }
}

/// Reads a text written by [`encode`]; refuses any other bytes.
pub fn decode(bytes: &[u8]) -> Result<String, Bad> {
    let a = alphabet();
    let mut r = Reader { bytes, at: 0 };
    let mut text = String::new();
    let mut prev = None;
    while r.left() > 0 {
        let table = &a.tables[context(prev)];
        let start = r.at;
        // Canonical decoding: codes of each length are consecutive numbers.
        let (mut code, mut first, mut index) = (0u32, 0u32, 0u32);
        let mut symbol = None;
        for len in 1..table.count.len() {
            let Some(bit) = r.bit() else { break };
            code |= bit;
            let count = table.count[len];
            if code - first < count {
                symbol = Some(table.sorted[(index + code - first) as usize]);
                break;
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        let Some(symbol) = symbol else {
            // The end: only 1 bits, fewer than 8, may follow the last symbol.
            let filling = r.at - start;
            let ones = (start..r.at).all(|i| (bytes[i / 8] >> (7 - i % 8)) & 1 == 1);
            if r.left() > 0 {
                return Err(Bad::Truncated);
            }
            return if filling < 8 && ones {
                Ok(text)
            } else {
                Err(Bad::Filling)
            };
        };
        let c = if symbol == ESCAPE {
            let mut value = 0u32;
            for _ in 0..SCALAR_BITS {
                value = (value << 1) | r.bit().ok_or(Bad::Truncated)?;
            }
            let c = char::from_u32(value).ok_or(Bad::Escape)?;
            if symbol_of(c).is_some() {
                return Err(Bad::Escape);
            }
            c
        } else {
            a.chars[symbol]
        };
        text.push(c);
        prev = Some(c);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_a_complete_prefix_code_whose_longest_code_outlasts_the_filling() {
        for lengths in [&tables::OTHER, &tables::AFTER_LETTER] {
            let kraft: f64 = lengths.iter().map(|&l| 2f64.powi(-i32::from(l))).sum();
            assert_eq!(kraft, 1.0);
            assert!(*lengths.iter().max().unwrap() >= 8);
        }
        assert_eq!(alphabet().chars.len(), SYMBOLS - 1);
    }

    #[test]
    fn texts_read_back_as_written_and_vietnamese_takes_fewer_bytes_than_utf8() {
        for text in [
            "",
            "a",
            "Chợ Xanh Cao Bằng",
            "Trạm Y tế Phường Thục Phán – Điểm tiêm chủng số 3",
            "Quán “Phở Hà Nội” ☕ 24/7 — ĐẶC SẢN",
            "\u{10ffff}\u{0}x",
        ] {
            let bytes = encode(text);
            assert_eq!(decode(&bytes).unwrap(), text);
        }
        let name = "Trường Trung học phổ thông Chuyên Cao Bằng";
        assert!(
            encode(name).len() * 10 < name.len() * 7,
            "{}",
            encode(name).len()
        );
    }

    #[test]
    fn other_bytes_are_refused() {
        let good = encode("Chợ");
        // Filling with a 0 bit: the last bit of the last byte cleared.
        let mut zero = good.clone();
        *zero.last_mut().unwrap() &= 0xfe;
        assert!(decode(&zero).is_err());
        // A whole byte of filling (8 spaces end on a byte's end; no code is 8 ones).
        let mut long = encode("        ");
        long.push(0xff);
        assert_eq!(decode(&long), Err(Bad::Filling));
        // An escape for a character of the table ("a" written as the escape and 0x61).
        let a = alphabet();
        let (code, len) = a.tables[0].codes[ESCAPE];
        let mut w = Writer {
            bytes: Vec::new(),
            bits: 0,
            used: 0,
        };
        w.put(code, len.into());
        w.put('a' as u32, SCALAR_BITS);
        let fill = (8 - w.used % 8) % 8;
        w.put((1 << fill) - 1, fill);
        assert_eq!(decode(&w.bytes), Err(Bad::Escape));
    }
}
