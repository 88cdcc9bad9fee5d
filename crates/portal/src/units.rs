//! The official administrative units (GSO codes): the two-tier units of every province in force
//! from 2025-07-01 (`crates/protocol/data/vietnam-2025.json`), and Cao Bằng's 2021 three-tier units with districts
//! (`crates/protocol/data/cao-bang-2021.json`). A portal registers venues under one province in one edition
//! ([`UnitList`]); [`commune`] looks a code up in the national 2025 list.

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
        let file: File = serde_json::from_str(protocol::units::VIETNAM_2025)
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

/// The commune or ward with this GSO code in the national 2025 list.
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

    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Y2021 => "2021",
            Edition::Y2025 => "2025",
        }
    }

    /// The same list as venue codes name it.
    pub fn protocol(self) -> protocol::units::Edition {
        match self {
            Edition::Y2021 => protocol::units::Edition::Y2021,
            Edition::Y2025 => protocol::units::Edition::Y2025,
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
    /// The name folded for matching typed text, as [`Place::folded`].
    pub folded: String,
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

/// A commune of Cao Bằng's 2021 list that the 2025 list no longer has: its old name and
/// district, and the commune of the 2025 list it became part of.
#[derive(Debug, Clone)]
pub struct Merged {
    pub old: Place,
    pub old_district: District,
    pub into: u32,
}

#[derive(Deserialize)]
struct MergerFile {
    communes: Vec<MergedCode>,
}

#[derive(Deserialize)]
struct MergedCode {
    from: u32,
    into: u32,
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
    /// On the 2025 list of Cao Bằng: the 2021 communes and where each went, for a file that
    /// still names one. Empty elsewhere (no public mapping is bundled for other provinces).
    pub merged: Vec<Merged>,
    by_code: HashMap<u32, usize>,
}

impl UnitList {
    pub fn load(edition: Edition, province: u32) -> crate::Result<UnitList> {
        let (province_name, districts, communes) = match edition {
            Edition::Y2021 => {
                let file: File2021 = serde_json::from_str(protocol::units::CAO_BANG_2021)
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
                        folded: crate::text::fold(&d.name),
                        name: d.name,
                    });
                }
                (file.province.name, districts, communes)
            }
            Edition::Y2025 => {
                let file: File = serde_json::from_str(protocol::units::VIETNAM_2025)
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
        let merged = if edition == Edition::Y2025 && province == 4 {
            Self::cao_bang_merger()
        } else {
            Vec::new()
        };
        Ok(UnitList {
            edition,
            province_code: province,
            province_name,
            districts,
            communes,
            merged,
            by_code,
        })
    }

    /// Cao Bằng's communes of 2021 with the commune of 2025 each went into.
    fn cao_bang_merger() -> Vec<Merged> {
        let old = UnitList::load(Edition::Y2021, 4).expect("the bundled 2021 list");
        let file: MergerFile = serde_json::from_str(protocol::units::CAO_BANG_MERGER)
            .expect("the bundled mapping parses");
        file.communes
            .into_iter()
            .filter_map(|m| {
                let place = old.commune(m.from)?.clone();
                let district = old.district_of(&place)?.clone();
                Some(Merged {
                    old: place,
                    old_district: district,
                    into: m.into,
                })
            })
            .collect()
    }

    /// Where the 2021 communes named `commune` went (in the district named, where one is), each
    /// with the commune of this list it became part of; empty when no old commune has the name.
    pub fn merged_into(&self, commune: &str, district: &str) -> Vec<(&Merged, &Place)> {
        let named = by_name(
            &self.merged,
            |m| &m.old.folded,
            &crate::text::fold(commune.trim()),
            &["xa ", "phuong ", "thi tran "],
        );
        let districts: Vec<&District> = named.iter().map(|m| &m.old_district).collect();
        let in_district: Vec<u32> = match district.trim() {
            "" => districts.iter().map(|d| d.code).collect(),
            text => by_name(
                &districts,
                |d| &d.folded,
                &crate::text::fold(text),
                &["huyen ", "thanh pho ", "thi xa ", "quan "],
            )
            .into_iter()
            .map(|d| d.code)
            .collect(),
        };
        named
            .into_iter()
            .filter(|m| in_district.contains(&m.old_district.code))
            .filter_map(|m| Some((m, self.commune(m.into)?)))
            .collect()
    }

    pub fn commune(&self, code: u32) -> Option<&Place> {
        self.by_code.get(&code).map(|&i| &self.communes[i])
    }

    pub fn district(&self, code: u32) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }

    /// The commune a person named: by code, or by name with or without its accents and
    /// with or without "Xã"/"Phường"/"Thị trấn" in front. Nothing when the name is not in the
    /// list or names more than one commune (see [`UnitList::lookup`]).
    pub fn find(&self, text: &str) -> Option<&Place> {
        match self.candidates(text).as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Every commune the text may name: the one with this code, the communes with exactly this
    /// name (folded), or else those whose name matches without "Xã"/"Phường"/"Thị trấn".
    /// In the 2021 list six names occur in more than one district.
    pub fn candidates(&self, text: &str) -> Vec<&Place> {
        let text = text.trim();
        if let Ok(code) = text.parse::<u32>() {
            return self.commune(code).into_iter().collect();
        }
        by_name(
            &self.communes,
            |c| &c.folded,
            &crate::text::fold(text),
            &["xa ", "phuong ", "thi tran "],
        )
    }

    /// The district a person named: by code, or by name with or without accents and with or
    /// without "Huyện"/"Thành phố"/"Thị xã"/"Quận" in front. Nothing in the two-tier list.
    pub fn find_district(&self, text: &str) -> Option<&District> {
        let text = text.trim();
        if let Ok(code) = text.parse::<u32>() {
            return self.district(code);
        }
        match by_name(
            &self.districts,
            |d| &d.folded,
            &crate::text::fold(text),
            &["huyen ", "thanh pho ", "thi xa ", "quan "],
        )
        .as_slice()
        {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The district of a commune, where the list has districts.
    pub fn district_of(&self, place: &Place) -> Option<&District> {
        place.district.and_then(|d| self.district(d))
    }

    /// A commune as a list shows it: "Phường Hợp Giang, Thành phố Cao Bằng" where the list has
    /// districts (six names occur in two or three districts), else the commune's name; the code
    /// itself when the list does not have it.
    pub fn label(&self, code: u32) -> String {
        match self.commune(code) {
            Some(c) => match self.district_of(c) {
                Some(d) => format!("{}, {}", c.name, d.name),
                None => c.name.clone(),
            },
            None => code.to_string(),
        }
    }

    /// The commune named by `commune` (a code or a name), in the district named by `district`
    /// where one is given and the list has districts (the two-tier list ignores it).
    pub fn lookup(&self, commune: &str, district: &str) -> Lookup<'_> {
        let district = match district.trim() {
            "" => None,
            _ if self.districts.is_empty() => None,
            text => match self.find_district(text) {
                Some(d) => Some(d),
                None => return Lookup::UnknownDistrict,
            },
        };
        let all = self.candidates(commune);
        if all.is_empty() {
            return Lookup::Unknown;
        }
        let within: Vec<&Place> = match district {
            Some(d) => all
                .iter()
                .copied()
                .filter(|c| c.district == Some(d.code))
                .collect(),
            None => all.clone(),
        };
        match (within.as_slice(), district) {
            ([one], _) => Lookup::Found(one),
            ([], Some(d)) => Lookup::NotInDistrict(d, all),
            _ => Lookup::Ambiguous(within),
        }
    }
}

/// What [`UnitList::lookup`] found.
#[derive(Debug)]
pub enum Lookup<'a> {
    Found(&'a Place),
    /// No commune of the list has this code or name.
    Unknown,
    /// The district given is not in the list.
    UnknownDistrict,
    /// The commune exists, but not in the district given: where it is instead.
    NotInDistrict(&'a District, Vec<&'a Place>),
    /// More than one commune has this name (in the 2021 list, in different districts).
    Ambiguous(Vec<&'a Place>),
}

/// The units whose folded name is `wanted`; or, when none is, those whose name matches once the
/// kind of unit in front ("xa ", "huyen ", …, folded) is left off both.
fn by_name<'a, T>(
    units: &'a [T],
    folded: impl Fn(&T) -> &str,
    wanted: &str,
    kinds: &[&str],
) -> Vec<&'a T> {
    let exact: Vec<&T> = units.iter().filter(|u| folded(u) == wanted).collect();
    if !exact.is_empty() {
        return exact;
    }
    let bare = |s: &str| {
        kinds
            .iter()
            .find_map(|k| s.strip_prefix(k))
            .unwrap_or(s)
            .to_owned()
    };
    let wanted = bare(wanted);
    units.iter().filter(|u| bare(folded(u)) == wanted).collect()
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

    #[test]
    fn names_in_two_districts_need_the_district() {
        let old = UnitList::load(Edition::Y2021, 4).unwrap();
        assert!(old.find("Xã Vĩnh Quang").is_none());
        let Lookup::Ambiguous(both) = old.lookup("Xã Vĩnh Quang", "") else {
            panic!("ambiguous")
        };
        let mut codes: Vec<u32> = both.iter().map(|c| c.code).collect();
        codes.sort();
        assert_eq!(codes, [1300, 1693]);
        assert_eq!(old.lookup("Hưng Đạo", "").ambiguous_len(), 3);
        for district in ["Huyện Bảo Lâm", "huyen bao lam", "Bảo Lâm", "42"] {
            let Lookup::Found(c) = old.lookup("xa vinh quang", district) else {
                panic!("{district}")
            };
            assert_eq!(c.code, 1300, "{district}");
        }
        assert!(matches!(
            old.lookup("Vĩnh Quang", "Thành phố Cao Bằng"),
            Lookup::Found(c) if c.code == 1693
        ));
        // "Hoà An" and "Hòa An" are the same district.
        assert!(matches!(old.lookup("Quang Trung", "Hòa An"), Lookup::Found(c) if c.code == 1702));
        assert!(matches!(
            old.lookup("1693", "Huyện Bảo Lâm"),
            Lookup::NotInDistrict(d, _) if d.code == 42
        ));
        assert!(matches!(
            old.lookup("Xã Vĩnh Quang", "Hoàn Kiếm"),
            Lookup::UnknownDistrict
        ));
        assert!(matches!(old.lookup("Hoàn Kiếm", ""), Lookup::Unknown));
        assert_eq!(old.label(1273), "Phường Hợp Giang, Thành phố Cao Bằng");

        // The two-tier list has no districts: a district column is ignored.
        let new = UnitList::load(Edition::Y2025, 4).unwrap();
        assert!(
            matches!(new.lookup("1273", "Huyện Bảo Lâm"), Lookup::Found(c) if c.name == "Phường Thục Phán")
        );
        assert_eq!(new.label(1273), "Phường Thục Phán");
    }

    impl Lookup<'_> {
        fn ambiguous_len(&self) -> usize {
            match self {
                Lookup::Ambiguous(all) => all.len(),
                _ => 0,
            }
        }
    }

    #[test]
    fn a_commune_of_2021_says_where_it_went_in_2025() {
        let units = UnitList::load(Edition::Y2025, 4).unwrap();
        let into = |commune: &str, district: &str| -> Vec<(String, String)> {
            units
                .merged_into(commune, district)
                .into_iter()
                .map(|(m, p)| (m.old_district.name.clone(), p.name.clone()))
                .collect()
        };
        let city = || "Thành phố Cao Bằng".to_owned();
        assert_eq!(
            into("Phường Sông Hiến", ""),
            [(city(), "Phường Thục Phán".into())]
        );
        // Without accents or the kind of unit, as a spreadsheet may have it.
        assert_eq!(into("song hien", ""), [(city(), "Phường Thục Phán".into())]);
        // Two former communes of one name went to different places; the district tells them
        // apart.
        assert_eq!(
            into("Xã Vĩnh Quang", ""),
            [
                (city(), "Phường Nùng Trí Cao".into()),
                ("Huyện Bảo Lâm".into(), "Xã Lý Bôn".into())
            ]
        );
        assert_eq!(
            into("Xã Vĩnh Quang", "Bảo Lâm"),
            [("Huyện Bảo Lâm".into(), "Xã Lý Bôn".into())]
        );
        assert!(into("Phường Hoàn Kiếm", "").is_empty());
        // Every 2021 commune is mapped, into one of the 56 communes of 2025.
        assert_eq!(units.merged.len(), 161);
        assert!(units.merged.iter().all(|m| units.commune(m.into).is_some()));
        // The 2021 list, and other provinces, have no such mapping.
        assert!(UnitList::load(Edition::Y2021, 4).unwrap().merged.is_empty());
        assert!(UnitList::load(Edition::Y2025, 1).unwrap().merged.is_empty());
    }
}
