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

/// Communes for a select box, in groups by district where the list has districts.
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

pub fn commune_groups(units: &UnitList) -> Vec<ChoiceGroup> {
    let choice = |c: &Place| Choice {
        value: c.code.to_string(),
        label: c.name.clone(),
    };
    if units.districts.is_empty() {
        return vec![ChoiceGroup {
            label: units.province_name.clone(),
            choices: units.communes.iter().map(choice).collect(),
        }];
    }
    units
        .districts
        .iter()
        .map(|d| ChoiceGroup {
            label: d.name.clone(),
            choices: units
                .communes
                .iter()
                .filter(|c| c.district == Some(d.code))
                .map(choice)
                .collect(),
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

/// Districts for a select box: empty in the two-tier list.
pub fn district_choices(units: &UnitList) -> Vec<Choice> {
    units
        .districts
        .iter()
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
