//! The official administrative units (GSO codes, two-tier units in force from 2025-07-01),
//! from `data/vietnam-2025.json`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct File {
    provinces: Vec<Province>,
}

#[derive(Deserialize)]
struct Province {
    code: u32,
    name: String,
    communes: Vec<Commune>,
}

#[derive(Deserialize)]
struct Commune {
    code: u32,
    name: String,
}

/// A commune or ward with the province it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: u32,
    pub name: String,
    pub province_code: u32,
    pub province: String,
}

fn all() -> &'static HashMap<u32, Unit> {
    static UNITS: OnceLock<HashMap<u32, Unit>> = OnceLock::new();
    UNITS.get_or_init(|| {
        let file: File = serde_json::from_str(include_str!("../data/vietnam-2025.json"))
            .expect("the bundled unit list parses");
        file.provinces
            .into_iter()
            .flat_map(|p| {
                p.communes.into_iter().map(move |c| {
                    (
                        c.code,
                        Unit {
                            code: c.code,
                            name: c.name,
                            province_code: p.code,
                            province: p.name.clone(),
                        },
                    )
                })
            })
            .collect()
    })
}

/// The commune or ward with this GSO code.
pub fn commune(code: u32) -> Option<&'static Unit> {
    all().get(&code)
}

/// Which official list of units the portal registers venues under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Edition {
    /// The 2021 three-tier units (province → district → commune), in force when the Cao Bằng
    /// directive was issued. Bundled for Cao Bằng only.
    #[serde(rename = "2021")]
    Y2021,
    /// The two-tier units (province → commune) in force from 1 July 2025.
    #[default]
    #[serde(rename = "2025")]
    Y2025,
}

impl Edition {
    pub fn parse(text: &str) -> Option<Edition> {
        match text {
            "2021" => Some(Edition::Y2021),
            "2025" => Some(Edition::Y2025),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct File2021 {
    province: Province2021,
}

#[derive(Deserialize)]
struct Province2021 {
    code: u32,
    name: String,
    districts: Vec<District2021>,
}

#[derive(Deserialize)]
struct District2021 {
    code: u32,
    name: String,
    communes: Vec<Commune>,
}

/// A district of the 2021 list.
#[derive(Debug, Clone)]
pub struct District {
    pub code: u32,
    pub name: String,
}

/// A commune or ward of the province, with its district where the list has districts.
#[derive(Debug, Clone)]
pub struct Place {
    pub code: u32,
    pub name: String,
    pub district: Option<u32>,
    /// The name folded for matching typed text ("xa quang han" finds "Xã Quảng Hán").
    pub folded: String,
}

/// The units of one province in one edition of the official list.
#[derive(Debug, Clone)]
pub struct UnitList {
    pub edition: Edition,
    pub province_code: u32,
    pub province_name: String,
    /// Empty in the two-tier list.
    pub districts: Vec<District>,
    /// In the list's own order (by district in the 2021 list).
    pub communes: Vec<Place>,
    by_code: HashMap<u32, usize>,
}

impl UnitList {
    pub fn load(edition: Edition, province: u32) -> crate::Result<UnitList> {
        let (province_name, districts, communes) = match edition {
            Edition::Y2021 => {
                let file: File2021 =
                    serde_json::from_str(include_str!("../data/cao-bang-2021.json"))
                        .expect("the bundled 2021 unit list parses");
                if file.province.code != province {
                    return Err(crate::Error::UnknownProvince(province, "2021"));
                }
                let mut districts = Vec::new();
                let mut communes = Vec::new();
                for d in file.province.districts {
                    for c in d.communes {
                        communes.push(place(c.code, c.name, Some(d.code)));
                    }
                    districts.push(District {
                        code: d.code,
                        name: d.name,
                    });
                }
                (file.province.name, districts, communes)
            }
            Edition::Y2025 => {
                let file: File = serde_json::from_str(include_str!("../data/vietnam-2025.json"))
                    .expect("the bundled unit list parses");
                let p = file
                    .provinces
                    .into_iter()
                    .find(|p| p.code == province)
                    .ok_or(crate::Error::UnknownProvince(province, "2025"))?;
                let communes = p
                    .communes
                    .into_iter()
                    .map(|c| place(c.code, c.name, None))
                    .collect();
                (p.name, Vec::new(), communes)
            }
        };
        let by_code = communes
            .iter()
            .enumerate()
            .map(|(i, c): (usize, &Place)| (c.code, i))
            .collect();
        Ok(UnitList {
            edition,
            province_code: province,
            province_name,
            districts,
            communes,
            by_code,
        })
    }

    pub fn commune(&self, code: u32) -> Option<&Place> {
        self.by_code.get(&code).map(|&i| &self.communes[i])
    }

    pub fn district(&self, code: u32) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }

    /// The commune a person named: by code, or by name with or without its accents and
    /// with or without "Xã"/"Phường"/"Thị trấn" in front.
    pub fn find(&self, text: &str) -> Option<&Place> {
        let text = text.trim();
        if let Ok(code) = text.parse::<u32>() {
            return self.commune(code);
        }
        let wanted = crate::text::fold(text);
        let bare = |s: &str| {
            ["xa ", "phuong ", "thi tran "]
                .iter()
                .find_map(|p| s.strip_prefix(p))
                .unwrap_or(s)
                .to_owned()
        };
        let exact: Vec<&Place> = self
            .communes
            .iter()
            .filter(|c| c.folded == wanted)
            .collect();
        if exact.len() == 1 {
            return Some(exact[0]);
        }
        let loose: Vec<&Place> = self
            .communes
            .iter()
            .filter(|c| bare(&c.folded) == bare(&wanted))
            .collect();
        (loose.len() == 1).then(|| loose[0])
    }
}

fn place(code: u32, name: String, district: Option<u32>) -> Place {
    Place {
        code,
        folded: crate::text::fold(&name),
        name,
        district,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_editions_of_cao_bang_load() {
        let old = UnitList::load(Edition::Y2021, 4).unwrap();
        assert_eq!(old.districts.len(), 10);
        assert_eq!(old.communes.len(), 161);
        let song_hien = old.commune(1267).unwrap();
        assert_eq!(song_hien.name, "Phường Sông Hiến");
        assert_eq!(
            old.district(song_hien.district.unwrap()).unwrap().name,
            "Thành phố Cao Bằng"
        );

        let new = UnitList::load(Edition::Y2025, 4).unwrap();
        assert!(new.districts.is_empty());
        assert_eq!(new.communes.len(), 56);
        assert!(new.communes.iter().all(|c| c.district.is_none()));
        assert!(UnitList::load(Edition::Y2021, 1).is_err());
    }

    #[test]
    fn communes_are_found_by_code_or_by_name_typed_without_accents() {
        let old = UnitList::load(Edition::Y2021, 4).unwrap();
        assert_eq!(old.find("1267").unwrap().code, 1267);
        assert_eq!(old.find("Phường Sông Hiến").unwrap().code, 1267);
        assert_eq!(old.find("phuong song hien").unwrap().code, 1267);
        assert_eq!(old.find("Sông Hiến").unwrap().code, 1267);
        assert!(old.find("Hoàn Kiếm").is_none());
        assert!(old.find("99999").is_none());
    }
}
