//! The official administrative units (GSO codes, two-tier units in force from 2025-07-01),
//! from `data/vietnam-2025.json`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

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
