//! A personal card that commune staff print for someone without a smartphone: what the form must
//! hold before the portal seals it to its door key. The rule for the name and the phone number is
//! the protocol's own (`protocol::door::Contact::checked`, the one every card is sealed under),
//! asked one field at a time so that each problem shows next to its field; the commune must be
//! one of the portal's province in the 2025 list, the list every card's commune code is read in
//! (the web layer passes that list, whatever list the portal's venues use).

use protocol::door::Contact;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::Problem;
use crate::units::UnitList;

/// The card form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CardInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub commune: String,
}

/// What a card carries, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCard {
    /// The name with single spaces, the phone as digits from `0`, the commune's code.
    pub contact: Contact,
    /// The commune as the list shows it.
    pub commune_label: String,
}

/// A name, a phone number and a commune code the protocol accepts, standing in for the fields
/// not being asked about.
const SOME_NAME: &str = "An";
const SOME_PHONE: &str = "0912345678";
const SOME_COMMUNE: u32 = 1;

/// The card the form describes, or what is wrong with each field.
pub fn validate(input: &CardInput, units: &UnitList) -> Result<ValidCard, Vec<Problem>> {
    let mut problems = Vec::new();
    // Composed as the door's readers expect Vietnamese; a browser may send it decomposed.
    let name: String = input.name.nfc().collect();
    let commune = match input.commune.trim() {
        "" => Err(Problem::new("commune", "venue-commune-required")),
        code => code
            .parse::<u32>()
            .ok()
            .and_then(|code| units.commune(code))
            .ok_or_else(|| Problem::new("commune", "venue-commune-unknown")),
    };
    let code = commune.as_ref().map_or(SOME_COMMUNE, |c| c.code);
    if name.trim().is_empty() {
        problems.push(Problem::new("name", "card-name-required"));
    } else if Contact::checked(&name, SOME_PHONE, code).is_err() {
        problems.push(Problem::new("name", "card-name-invalid"));
    }
    if Contact::checked(SOME_NAME, &input.phone, code).is_err() {
        problems.push(Problem::new("phone", "venue-phone-invalid"));
    }
    let commune = match commune {
        Ok(commune) => commune,
        Err(problem) => {
            problems.push(problem);
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let contact = Contact::checked(&name, &input.phone, commune.code)
        .map_err(|_| vec![Problem::new("name", "card-name-invalid")])?;
    Ok(ValidCard {
        contact,
        commune_label: units.label(commune.code),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Edition;

    fn input(name: &str, phone: &str, commune: &str) -> CardInput {
        CardInput {
            name: name.into(),
            phone: phone.into(),
            commune: commune.into(),
        }
    }

    #[test]
    fn a_card_is_checked_field_by_field_as_the_protocol_seals_it() {
        let units = UnitList::load(Edition::Y2025, 4).unwrap();
        let ok = validate(
            &input("  Lương   Thị\tÁnh ", "+84 912.345-678", " 1273 "),
            &units,
        )
        .unwrap();
        assert_eq!(
            ok.contact,
            Contact {
                name: "Lương Thị Ánh".into(),
                phone: "0912345678".into(),
                commune: 1273,
            }
        );
        assert_eq!(ok.commune_label, units.label(1273));
        // Decomposed accents are composed before sealing.
        let decomposed: String = "Lương Thị Ánh".nfd().collect();
        let ok = validate(&input(&decomposed, "0912345678", "1273"), &units).unwrap();
        assert_eq!(ok.contact.name, "Lương Thị Ánh");

        let problems = |i: CardInput| -> Vec<(&'static str, &'static str)> {
            validate(&i, &units)
                .unwrap_err()
                .iter()
                .map(|p| (p.field, p.message))
                .collect()
        };
        assert_eq!(
            problems(input(" ", "", "")),
            [
                ("name", "card-name-required"),
                ("phone", "venue-phone-invalid"),
                ("commune", "venue-commune-required"),
            ]
        );
        for name in [
            "<script>alert(1)</script>",
            "Nguyễn Văn 2",
            "=HYPERLINK(\"x\")",
            "-Lan",
            &"A".repeat(101),
        ] {
            assert_eq!(
                problems(input(name, "0912345678", "1273")),
                [("name", "card-name-invalid")],
                "{name}"
            );
        }
        for phone in [
            "0912",
            "912345678",
            "+1 202 555 0100",
            "0912 345 678 9012",
            "09a2345678",
        ] {
            assert_eq!(
                problems(input("Lan", phone, "1273")),
                [("phone", "venue-phone-invalid")],
                "{phone}"
            );
        }
        // Phường Hoàn Kiếm is Hà Nội's: a real code, not one of this portal's communes.
        for commune in ["70", "0", "x", "99999999999"] {
            assert_eq!(
                problems(input("Lan", "0912345678", commune)),
                [("commune", "venue-commune-unknown")],
                "{commune}"
            );
        }
        assert_eq!(
            problems(input("<b>", "1", "70")),
            [
                ("name", "card-name-invalid"),
                ("phone", "venue-phone-invalid"),
                ("commune", "venue-commune-unknown"),
            ]
        );
    }
}
