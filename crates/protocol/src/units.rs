//! The official lists of administrative units (GSO codes), bundled: the two-tier units of every
//! province in force from 2025-07-01, and Cao Bằng's 2021 three-tier units with districts (see
//! `data/README.md`). Venue code v2 carries a venue's street and its commune's code in one of
//! these lists; a phone writes the rest of the address from here.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The national two-tier list of 2025, as JSON.
pub const VIETNAM_2025: &str = include_str!("../data/vietnam-2025.json");
/// Cao Bằng's three-tier list of 2021, as JSON.
pub const CAO_BANG_2021: &str = include_str!("../data/cao-bang-2021.json");
/// Which commune of the 2025 list each commune of Cao Bằng's 2021 list was merged into, as JSON
/// (`data/make-cao-bang-merger.py`).
pub const CAO_BANG_MERGER: &str = include_str!("../data/cao-bang-2025-merger.json");

/// Which official list a unit code is from: the same code can name different communes in the
/// two (1273: Phường Hợp Giang in 2021, Phường Thục Phán in 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Edition {
    /// The 2021 three-tier units (province, district, commune).
    #[serde(rename = "2021")]
    Y2021,
    /// The two-tier units (province, commune) in force from 1 July 2025.
    #[serde(rename = "2025")]
    Y2025,
}

impl Edition {
    /// The number a venue code v2 writes for the edition.
    pub(crate) fn code(self) -> u64 {
        match self {
            Edition::Y2021 => 0,
            Edition::Y2025 => 1,
        }
    }

    pub(crate) fn from_code(code: u64) -> Option<Edition> {
        match code {
            0 => Some(Edition::Y2021),
            1 => Some(Edition::Y2025),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Named {
    name: String,
    #[serde(default)]
    code: u32,
    #[serde(default)]
    communes: Vec<Named>,
    #[serde(default)]
    districts: Vec<Named>,
}

#[derive(Deserialize)]
struct National {
    provinces: Vec<Named>,
}

#[derive(Deserialize)]
struct CaoBang {
    province: Named,
}

/// The names above a commune, from the commune up, by edition and code.
fn places() -> &'static HashMap<(Edition, u32), Vec<String>> {
    static PLACES: OnceLock<HashMap<(Edition, u32), Vec<String>>> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut places = HashMap::new();
        let national: National = serde_json::from_str(VIETNAM_2025).expect("the bundled list");
        for p in national.provinces {
            for c in p.communes {
                places.insert((Edition::Y2025, c.code), vec![c.name, p.name.clone()]);
            }
        }
        let cao_bang: CaoBang = serde_json::from_str(CAO_BANG_2021).expect("the bundled list");
        let p = cao_bang.province;
        for d in p.districts {
            for c in d.communes {
                places.insert(
                    (Edition::Y2021, c.code),
                    vec![c.name, d.name.clone(), p.name.clone()],
                );
            }
        }
        places
    })
}

/// The commune's names and those above it ("Phường Hợp Giang", "Thành phố Cao Bằng", "Tỉnh Cao
/// Bằng"), or `None` for a code not in that list.
pub fn names(edition: Edition, code: u32) -> Option<&'static [String]> {
    places().get(&(edition, code)).map(Vec::as_slice)
}

/// A street with its commune's names after it: the whole address as people write it.
pub fn address(street: &str, edition: Edition, code: u32) -> Option<String> {
    let names = names(edition, code)?;
    Some(
        std::iter::once(street)
            .filter(|s| !s.is_empty())
            .chain(names.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// The words that name a unit's kind before its name, lower-case, the longer first.
const KINDS: &[&str] = &[
    "thành phố ",
    "tp. ",
    "tp ",
    "tỉnh ",
    "huyện ",
    "thị xã ",
    "tx. ",
    "tx ",
    "quận ",
    "phường ",
    "thị trấn ",
    "tt. ",
    "tt ",
    "xã ",
    "đặc khu ",
];

/// The street of an address that ends with its commune's names: the address without the parts
/// at its end that name the commune, its district or its province (with or without the words
/// "Tỉnh", "Thành phố", "Huyện", …). Parts are compared without case and accents are kept.
pub fn street_of(address: &str, edition: Edition, code: u32) -> String {
    let Some(names) = names(edition, code) else {
        return address.to_owned();
    };
    // A name without its kind ("Tỉnh", "TP", "Phường", …) and case.
    let bare = |name: &str| -> String {
        let lower = name.trim().to_lowercase();
        KINDS
            .iter()
            .find_map(|kind| lower.strip_prefix(kind))
            .map_or(lower.clone(), str::to_owned)
    };
    let forms: Vec<String> = names.iter().map(|n| bare(n)).collect();
    let mut parts: Vec<&str> = address.split(',').map(str::trim).collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| forms.contains(&bare(p))) {
        parts.pop();
    }
    // What is left is the street, unless it is the commune's own full name ("Phường Hợp
    // Giang"): a hamlet named like its commune ("Nà Giàng, Xã Nà Giàng") keeps its name.
    let full = |p: &str| names.iter().any(|n| n.to_lowercase() == p.to_lowercase());
    if parts.len() == 1 && full(parts[0]) {
        return String::new();
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commune_is_named_with_its_district_and_province_in_its_own_edition() {
        assert_eq!(
            address("Số 12 Phố Xuân Trường", Edition::Y2021, 1273).unwrap(),
            "Số 12 Phố Xuân Trường, Phường Hợp Giang, Thành phố Cao Bằng, Tỉnh Cao Bằng"
        );
        assert_eq!(
            address("", Edition::Y2025, 1273).unwrap(),
            "Phường Thục Phán, Cao Bằng"
        );
        assert_eq!(address("Số 1", Edition::Y2021, 999_999), None);
    }

    #[test]
    fn the_street_is_what_is_left_of_an_address_without_its_units() {
        let street = |a| street_of(a, Edition::Y2021, 1273);
        assert_eq!(
            street("Số 12 Phố Xuân Trường, Phường Hợp Giang, Cao Bằng"),
            "Số 12 Phố Xuân Trường"
        );
        assert_eq!(
            street("Số 12 Phố Xuân Trường, phường Hợp Giang, TP Cao Bằng, tỉnh Cao Bằng"),
            "Số 12 Phố Xuân Trường"
        );
        assert_eq!(street("Tổ 5, Hợp Giang"), "Tổ 5");
        // A hamlet named like its commune stays; the commune's full name alone is no street.
        assert_eq!(street("Hợp Giang, Phường Hợp Giang, Cao Bằng"), "Hợp Giang");
        assert_eq!(street("phường hợp giang"), "");
        assert_eq!(street("Phường Hợp Giang, Cao Bằng"), "");
        // A part that names the place in the middle of the address stays.
        assert_eq!(street("Chợ Cao Bằng, Tổ 5"), "Chợ Cao Bằng, Tổ 5");
        assert_eq!(
            street_of("Số 1, Hợp Giang", Edition::Y2021, 1),
            "Số 1, Hợp Giang"
        );
    }
}
