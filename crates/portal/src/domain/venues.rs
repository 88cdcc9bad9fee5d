//! Venues as staff register them: what a valid venue is, the signed code of a registered one,
//! and the keys the registry searches and deduplicates by.

use chrono::{Days, NaiveDate};
use protocol::{Sector, Venue};
use rand::{CryptoRng, RngCore};
use serde::Deserialize;
use uuid::Uuid;

use super::Problem;
use crate::authority::Authority;
use crate::i18n::Tr;
use crate::text::{clean, fold};
use crate::units::{Lookup, Place, UnitList};
use crate::{Error, Result};

const MIN_STAY: u16 = 5;
const MAX_CONTACT_CHARS: usize = 100;

/// A venue as a form or a CSV row gives it: text as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VenueInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub commune: String,
    /// The commune's district, by name or code: only a CSV file gives it, for the 2021 list's
    /// communes whose names occur in more than one district. Ignored by the two-tier list.
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub usual_stay: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    /// "on" when registering a venue whose owner co-signs its notices: the portal makes the
    /// owner's key, prints it on a sheet once, and derives the venue id from it. Only the form
    /// of a new venue has it.
    #[serde(default)]
    pub owner_cosigns: String,
}

/// A venue that passed every check.
#[derive(Debug, Clone)]
pub struct ValidVenue {
    pub name: String,
    pub address: String,
    pub commune_code: u32,
    pub sector: Sector,
    pub usual_stay_minutes: u16,
    pub contact_name: String,
    pub contact_phone: String,
}

impl ValidVenue {
    /// What the registry's search matches: name and address, folded.
    pub fn search_key(&self) -> String {
        fold(&format!("{} {}", self.name, self.address))
    }

    /// What makes two venues of one commune the same venue: name and address, folded.
    pub fn dedupe_key(&self) -> String {
        format!("{}\n{}", fold(&self.name), fold(&self.address))
    }
}

/// A registered venue as stored.
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: String,
    pub name: String,
    pub address: String,
    pub commune_code: u32,
    pub sector: String,
    pub usual_stay_minutes: u16,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
    /// The date the venue's code carries, `2026-11-29`.
    pub code_issued: String,
    pub updated_at: i64,
    pub poster_first_at: Option<i64>,
    /// Its number at this portal, and the secret drawn for it: its short code carries both.
    pub short_number: Option<u32>,
    pub short_secret: Option<u32>,
}

impl Registered {
    /// The venue as its form shows it.
    pub fn input(&self) -> VenueInput {
        VenueInput {
            name: self.name.clone(),
            address: self.address.clone(),
            commune: self.commune_code.to_string(),
            district: String::new(),
            sector: self.sector.clone(),
            usual_stay: self.usual_stay_minutes.to_string(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            owner_cosigns: String::new(),
        }
    }

    /// Whether `changed` alters what the QR code says (name, address, commune, sector, stay):
    /// then the code gets a new date and the poster must be printed again.
    pub fn code_changes(&self, changed: &ValidVenue) -> bool {
        changed.name != self.name
            || changed.address != self.address
            || changed.commune_code != self.commune_code
            || changed.sector.as_str() != self.sector
            || changed.usual_stay_minutes != self.usual_stay_minutes
    }

    /// The signed venue code of this venue, made on `today` (the day in Vietnam).
    pub fn code(&self, authority: &Authority, today: NaiveDate) -> Result<String> {
        let sector = Sector::from_name(&self.sector)
            .ok_or_else(|| Error::Stored(format!("venue {} has no sector", self.id)))?;
        let issued = NaiveDate::parse_from_str(&self.code_issued, "%Y-%m-%d")
            .map_err(|e| Error::Stored(format!("venue {}: {e}", self.id)))?;
        let id = Uuid::parse_str(&self.id)
            .map_err(|e| Error::Stored(format!("venue {}: {e}", self.id)))?;
        let venue = Venue {
            id,
            name: self.name.clone(),
            address: self.address.clone(),
            unit: self.commune_code,
            sector,
            usual_stay_minutes: self.usual_stay_minutes,
            issued,
        };
        sign_code(&venue, authority, today)
    }
}

/// How long a poster's code stays valid from the day it is made: a year, after which phones
/// refuse it and the venue prints the poster again.
pub const CODE_VALID_DAYS: u64 = 365;

/// `venue`'s code (version 2) made on `today`: valid until a year from today. Its first day is
/// the venue's issue date, or two years ago for an older one (a code is valid for at most three
/// years).
pub fn sign_code(venue: &Venue, authority: &Authority, today: NaiveDate) -> Result<String> {
    let oldest = today - Days::new(protocol::venue_v2::MAX_VALID_DAYS - CODE_VALID_DAYS);
    let venue = Venue {
        issued: venue.issued.max(oldest),
        ..venue.clone()
    };
    let terms = protocol::Terms {
        edition: authority.settings.units.protocol(),
        valid_until: today + Days::new(CODE_VALID_DAYS),
    };
    Ok(protocol::sign_venue_code_v2(
        &venue,
        &terms,
        &authority.settings.host,
        &authority.key,
    )?)
}

/// A new venue's id: random, as the protocol makes them.
pub fn new_venue_id(rng: &mut (impl RngCore + CryptoRng)) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    Venue::id_from_random(bytes).to_string()
}

/// The date a code issued on `today` carries, as stored.
pub fn issued(today: NaiveDate) -> String {
    today.format("%Y-%m-%d").to_string()
}

/// A phone number as Vietnamese numbers are written: 0 or +84, then 9 or 10 digits; spaces, dots
/// and hyphens between digits are allowed and dropped.
pub fn clean_phone(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = compact
        .strip_prefix("+84")
        .or_else(|| compact.strip_prefix('0'))?;
    ((9..=10).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()))
        .then_some(compact)
}

pub fn sector_label(tr: &Tr, sector: &str) -> String {
    tr.t(&format!("sector-{sector}"))
}

/// A commune of the 2021 list that the list in use no longer has, and where it went: "Phường
/// Sông Hiến đã sáp nhập vào Phường Thục Phán"; by old district where old communes of that name
/// went to different places.
fn merged(input: &VenueInput, units: &UnitList) -> Option<Problem> {
    let found = units.merged_into(&input.commune, &input.district);
    let (first, _) = found.first()?;
    let one_place = found.iter().all(|(_, into)| into.code == found[0].1.code);
    let (message, into) = if one_place {
        ("venue-commune-merged", found[0].1.name.clone())
    } else {
        (
            "venue-commune-merged-several",
            found
                .iter()
                .map(|(m, into)| format!("{}: {}", m.old_district.name, into.name))
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    Some(Problem {
        field: "commune",
        message,
        args: vec![("old", first.old.name.clone()), ("into", into)],
    })
}

/// The commune named in a form or a row, or what is wrong with it.
fn commune_of<'a>(
    input: &VenueInput,
    units: &'a UnitList,
) -> std::result::Result<&'a Place, Problem> {
    if input.commune.trim().is_empty() {
        return Err(Problem::new("commune", "venue-commune-required"));
    }
    // "Phường Hợp Giang (1273)": a commune with its code.
    let with_code = |c: &Place| format!("{} ({})", c.name, c.code);
    // "Huyện Bảo Lâm (1300)": where a commune of that name is, with the commune's code.
    let in_district = |c: &Place| match units.district_of(c) {
        Some(d) => format!("{} ({})", d.name, c.code),
        None => with_code(c),
    };
    match units.lookup(&input.commune, &input.district) {
        // A 2025 commune has the name, but the row names a former district where a commune of
        // that name went elsewhere ("Xã Hưng Đạo" of Thành phố Cao Bằng is now in Phường Thục
        // Phán): the row is from before the reorganisation.
        Lookup::Found(c)
            if units.districts.is_empty()
                && !input.district.trim().is_empty()
                && units
                    .merged_into(&input.commune, &input.district)
                    .iter()
                    .any(|(_, into)| into.code != c.code) =>
        {
            Err(merged(input, units).expect("a former commune"))
        }
        Lookup::Found(c) => Ok(c),
        Lookup::Unknown => Err(merged(input, units)
            .unwrap_or_else(|| Problem::new("commune", "venue-commune-unknown"))),
        Lookup::UnknownDistrict => Err(Problem::new("district", "venue-district-unknown")),
        Lookup::NotInDistrict(d, elsewhere) => Err(Problem {
            field: "district",
            message: "venue-commune-not-in-district",
            args: vec![
                ("commune", elsewhere[0].name.clone()),
                ("district", d.name.clone()),
                (
                    "places",
                    elsewhere
                        .iter()
                        .map(|c| in_district(c))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        }),
        Lookup::Ambiguous(all) => {
            let same_name = all.iter().all(|c| c.name == all[0].name);
            let name = if same_name {
                all[0].name.clone()
            } else {
                clean(&input.commune)
            };
            let (message, places): (_, Vec<String>) = if units.districts.is_empty() {
                (
                    "venue-commune-ambiguous-name",
                    all.iter().map(|c| with_code(c)).collect(),
                )
            } else {
                (
                    "venue-commune-ambiguous",
                    all.iter().map(|c| in_district(c)).collect(),
                )
            };
            Err(Problem {
                field: "commune",
                message,
                args: vec![
                    ("name", name),
                    ("count", all.len().to_string()),
                    ("places", places.join(", ")),
                ],
            })
        }
    }
}

impl VenueInput {
    /// The value of the field a problem names, as typed.
    pub fn field(&self, name: &str) -> &str {
        match name {
            "name" => &self.name,
            "address" => &self.address,
            "commune" => &self.commune,
            "district" => &self.district,
            "sector" => &self.sector,
            "usual_stay" => &self.usual_stay,
            "contact_name" => &self.contact_name,
            "contact_phone" => &self.contact_phone,
            _ => "",
        }
    }
}

/// Whether text would begin a formula in a spreadsheet (`=`, `+`, `-`, `@`): a venue's name
/// becomes a cell in every CSV file the portal writes; such names are refused when typed rather
/// than only neutralised on the way out.
pub fn starts_a_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@'])
}

/// Checks a venue as staff entered it on `today`. Each problem is a field and a message.
pub fn validate(
    input: &VenueInput,
    units: &UnitList,
    authority: &Authority,
    today: NaiveDate,
) -> std::result::Result<ValidVenue, Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    let name = clean(&input.name);
    let address = clean(&input.address);
    let contact_name = clean(&input.contact_name);
    if name.is_empty() {
        problems.push(Problem::new("name", "venue-name-required"));
    } else if name.chars().count() > protocol::venue::MAX_NAME_CHARS {
        problems.push(Problem::new("name", "venue-name-too-long"));
    } else if starts_a_formula(&name) {
        problems.push(Problem::new("name", "venue-name-formula"));
    }
    // What the poster cannot print would be empty boxes on the door.
    for (field, text) in [("name", &name), ("address", &address)] {
        let missing = crate::poster::undrawable(text);
        if !missing.is_empty() && !problems.iter().any(|p| p.field == field) {
            problems.push(Problem {
                field,
                message: "venue-text-undrawable",
                args: vec![("chars", crate::poster::named(&missing))],
            });
        }
    }
    if address.is_empty() {
        problems.push(Problem::new("address", "venue-address-required"));
    } else if address.chars().count() > protocol::venue::MAX_ADDRESS_CHARS {
        problems.push(Problem::new("address", "venue-address-too-long"));
    }
    let commune = match commune_of(input, units) {
        Ok(c) => Some(c),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let sector = Sector::from_name(input.sector.trim());
    if sector.is_none() {
        problems.push(Problem::new("sector", "venue-sector-unknown"));
    }
    let stay = match input.usual_stay.trim() {
        "" => sector.map(|s| s.default_stay_minutes()),
        text => match text.parse::<u16>() {
            Ok(m) if (MIN_STAY..=protocol::venue::MAX_STAY_MINUTES).contains(&m) => Some(m),
            _ => {
                problems.push(Problem::new("usual_stay", "venue-stay-invalid"));
                None
            }
        },
    };
    if contact_name.is_empty() {
        problems.push(Problem::new("contact_name", "venue-contact-required"));
    } else if contact_name.chars().count() > MAX_CONTACT_CHARS {
        problems.push(Problem::new("contact_name", "venue-contact-too-long"));
    }
    let phone = clean_phone(&input.contact_phone);
    if phone.is_none() {
        problems.push(Problem::new("contact_phone", "venue-phone-invalid"));
    }
    let (Some(commune), Some(sector), Some(stay), Some(phone), true) =
        (commune, sector, stay, phone, problems.is_empty())
    else {
        return Err(problems);
    };
    let venue = ValidVenue {
        name,
        address,
        commune_code: commune.code,
        sector,
        usual_stay_minutes: stay,
        contact_name,
        contact_phone: phone,
    };
    // The poster's QR code must stay readable: sign a code now to know it fits.
    let probe = Venue {
        id: Uuid::nil(),
        name: venue.name.clone(),
        address: venue.address.clone(),
        unit: venue.commune_code,
        sector: venue.sector,
        usual_stay_minutes: venue.usual_stay_minutes,
        issued: today,
    };
    if sign_code(&probe, authority, today).is_err() {
        return Err(vec![Problem::new("name", "venue-too-long-for-qr")]);
    }
    Ok(venue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::authority;
    use crate::units::Edition;

    fn input(name: &str, commune: &str, stay: &str, phone: &str) -> VenueInput {
        VenueInput {
            name: name.into(),
            address: " Số 12  Phố Vườn Cam ".into(),
            commune: commune.into(),
            district: String::new(),
            sector: "restaurant-cafe".into(),
            usual_stay: stay.into(),
            contact_name: "Nông Thị Ba".into(),
            contact_phone: phone.into(),
            owner_cosigns: String::new(),
        }
    }

    #[test]
    fn a_venue_is_checked_field_by_field_and_must_fit_a_poster() {
        let units = UnitList::load(Edition::Y2021, 4).unwrap();
        let (authority, today) = (authority(), NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        let ok = validate(
            &input("Quán Cô Ba", "1273", "", "0912 345 678"),
            &units,
            &authority,
            today,
        )
        .unwrap();
        assert_eq!(ok.address, "Số 12 Phố Vườn Cam");
        assert_eq!(ok.commune_code, 1273);
        // No stay given: the sector's usual one.
        assert_eq!(
            ok.usual_stay_minutes,
            Sector::RestaurantCafe.default_stay_minutes()
        );
        assert_eq!(ok.contact_phone, "0912345678");
        assert_eq!(ok.search_key(), "quan co ba so 12 pho vuon cam");
        let fields = |v: VenueInput| -> Vec<&'static str> {
            validate(&v, &units, &authority, today)
                .unwrap_err()
                .iter()
                .map(|p| p.field)
                .collect()
        };
        assert_eq!(
            fields(input(" ", "", "4", "12")),
            ["name", "commune", "usual_stay", "contact_phone"]
        );
        assert_eq!(
            fields(input("A", "9999", "721", "0912345678")),
            ["commune", "usual_stay"]
        );
        // Every field at its longest still fits, but a name of only wide characters at the limit
        // makes a code too long for the poster's QR.
        // (Characters the poster's font draws: "₫", three bytes, outside what the code packs.)
        let wide = "₫".repeat(protocol::venue::MAX_NAME_CHARS);
        let mut long = input(&wide, "1273", "", "0912345678");
        long.address = "₫".repeat(protocol::venue::MAX_ADDRESS_CHARS);
        assert_eq!(
            validate(&long, &units, &authority, today).unwrap_err(),
            [Problem::new("name", "venue-too-long-for-qr")]
        );
    }

    #[test]
    fn a_changed_name_or_place_changes_the_code_and_a_new_phone_does_not() {
        let units = UnitList::load(Edition::Y2021, 4).unwrap();
        let (authority, today) = (authority(), NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        let v = validate(
            &input("Quán Cô Ba", "1273", "60", "0912345678"),
            &units,
            &authority,
            today,
        )
        .unwrap();
        let registered = Registered {
            id: Uuid::from_bytes([1; 16]).to_string(),
            name: v.name.clone(),
            address: v.address.clone(),
            commune_code: v.commune_code,
            sector: v.sector.as_str().into(),
            usual_stay_minutes: v.usual_stay_minutes,
            contact_name: v.contact_name.clone(),
            contact_phone: v.contact_phone.clone(),
            active: true,
            code_issued: issued(today),
            updated_at: 0,
            poster_first_at: None,
            short_number: None,
            short_secret: None,
        };
        let mut phone = v.clone();
        phone.contact_phone = "0987654321".into();
        assert!(!registered.code_changes(&phone));
        let mut stay = v.clone();
        stay.usual_stay_minutes = 90;
        assert!(registered.code_changes(&stay));
        let code = registered.code(&authority, today).unwrap();
        let read = protocol::read_venue_code(&code, &authority.trust()).unwrap();
        assert_eq!(
            (read.venue.name.as_str(), read.venue.issued),
            ("Quán Cô Ba", today)
        );
        // A v2 code, valid for a year from the day it is made.
        assert_eq!(read.version, 2);
        assert_eq!(read.valid_until, Some(today + Days::new(CODE_VALID_DAYS)));
        // An old venue's code made today starts at most two years back, and is valid a year on.
        let later = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let read = protocol::read_venue_code(
            &registered.code(&authority, later).unwrap(),
            &authority.trust(),
        )
        .unwrap();
        assert_eq!(read.valid_until, Some(later + Days::new(CODE_VALID_DAYS)));
        assert!(read.venue.issued > today);
        let mut broken = registered.clone();
        broken.sector = "casino".into();
        assert!(broken.code(&authority, today).is_err());
    }

    #[test]
    fn vietnamese_phone_numbers() {
        assert_eq!(clean_phone("0912 345 678").unwrap(), "0912345678");
        assert_eq!(clean_phone("+84 912.345.678").unwrap(), "+84912345678");
        assert_eq!(clean_phone("0206 3852 123").unwrap(), "02063852123");
        for bad in [
            "",
            "12345",
            "0912",
            "09123456789012",
            "abc0912345678",
            "+1 555 0100",
        ] {
            assert!(clean_phone(bad).is_none(), "{bad}");
        }
    }
}
