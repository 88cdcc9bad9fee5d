//! What forms share: messages next to fields, and the choices of select boxes (communes by
//! district, sectors, districts).

use protocol::Sector;

use crate::domain::venues::sector_label;
use crate::domain::Problem;
use crate::i18n::Tr;
use crate::units::{Place, UnitList};

/// Messages to show next to form fields, by field name.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    /// Each problem's message in the reader's language, the first for each field.
    pub fn of(tr: &Tr, problems: &[Problem]) -> FieldErrors {
        let mut errors = FieldErrors::default();
        for p in problems {
            errors.add(p.field, p.text(tr));
        }
        errors
    }

    pub fn add(&mut self, field: &'static str, message: String) {
        if !self.has(field) {
            self.0.push((field, message));
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| *f == field)
    }

    /// The message for a field, or nothing.
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// One option of a select box.
pub struct Choice {
    pub value: String,
    pub label: String,
}

pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// Which list of administrative units the form's communes come from, in a sentence.
pub fn units_note(tr: &Tr, units: &UnitList) -> String {
    let id = match units.edition {
        crate::units::Edition::Y2021 => "units-note-2021",
        crate::units::Edition::Y2025 => "units-note-2025",
    };
    tr.ta(id, &[("province", units.province_name.clone().into())])
}

/// Where a unit's name sorts: by its own name, not its kind ("Phường Hợp Giang" under H), in
/// the Vietnamese alphabet's order.
pub fn unit_order(name: &str) -> (Vec<u32>, Vec<u8>) {
    const KINDS: &[&str] = &[
        "Phường ",
        "Xã ",
        "Đặc khu ",
        "Thị trấn ",
        "Thành phố ",
        "Thị xã ",
        "Huyện ",
        "Quận ",
    ];
    let own = KINDS
        .iter()
        .find_map(|k| name.strip_prefix(k))
        .unwrap_or(name);
    protocol::text::vietnamese_order(own)
}

/// Communes for a select box, by district in the 2021 list, each group and each commune in the
/// Vietnamese alphabet's order of its own name.
pub fn commune_groups(units: &UnitList) -> Vec<ChoiceGroup> {
    let choices = |of_district: Option<u32>| {
        let mut places: Vec<&Place> = units
            .communes
            .iter()
            .filter(|c| of_district.is_none() || c.district == of_district)
            .collect();
        places.sort_by_cached_key(|c| unit_order(&c.name));
        places
            .into_iter()
            .map(|c| Choice {
                value: c.code.to_string(),
                label: c.name.clone(),
            })
            .collect()
    };
    if units.districts.is_empty() {
        return vec![ChoiceGroup {
            label: units.province_name.clone(),
            choices: choices(None),
        }];
    }
    let mut districts: Vec<_> = units.districts.iter().collect();
    districts.sort_by_cached_key(|d| unit_order(&d.name));
    districts
        .into_iter()
        .map(|d| ChoiceGroup {
            label: d.name.clone(),
            choices: choices(Some(d.code)),
        })
        .collect()
}

pub fn sector_choices(tr: &Tr) -> Vec<Choice> {
    Sector::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: sector_label(tr, s.as_str()),
        })
        .collect()
}

/// Districts for a select box, in the Vietnamese alphabet's order: empty in the two-tier list.
pub fn district_choices(units: &UnitList) -> Vec<Choice> {
    let mut districts: Vec<_> = units.districts.iter().collect();
    districts.sort_by_cached_key(|d| unit_order(&d.name));
    districts
        .into_iter()
        .map(|d| Choice {
            value: d.code.to_string(),
            label: d.name.clone(),
        })
        .collect()
}

/// A message id from a query string (`?error=import-too-large`), if it is one of `known`: the
/// pages say only what they themselves would say.
pub fn known_message(given: Option<&str>, known: &[&'static str]) -> Option<&'static str> {
    given.and_then(|g| known.iter().copied().find(|k| *k == g))
}
