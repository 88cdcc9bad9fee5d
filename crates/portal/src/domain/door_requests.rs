//! A tracer's request to a venue's door (venue mode): which venue, which window, why, for how
//! long; the signed request; and opening the guestbook that answers it, entry by entry, into
//! the people who were there (an ID card's own fields, or a personal card's sealed contact).

use protocol::door::{open_contact_card, open_entry, CardSource, ContactCard, Scanned};
use protocol::door_request::MAX_WINDOW_SECONDS;
use protocol::{Asked, DoorRequest};
use rand::{CryptoRng, RngCore};
use serde::Deserialize;
use uuid::Uuid;

use super::requests::MAX_EXPIRY_HOURS;
use super::time::{local, parse_local};
use super::Problem;
use crate::authority::Authority;
use crate::text::clean;
use crate::Result;

/// How far back a window may begin: the longest a door keeps its entries.
pub const MAX_AGE_SECONDS: i64 = 60 * 24 * 3600;

/// A request to a door as the tracer's form gives it: text as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DoorRequestInput {
    #[serde(default)]
    pub venue_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub hours: String,
}

/// A request to a door that passed every check but the venue's being registered (`store`'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDoorRequest {
    pub venue: Uuid,
    pub from: i64,
    pub to: i64,
    pub purpose: String,
    pub hours: i64,
}

/// Checks a request typed at `now`: a venue id, a window of local times (minutes) that has
/// begun, lies within the last 60 days and lasts at most a week, a purpose, and an expiry.
pub fn validate(
    input: &DoorRequestInput,
    now: i64,
) -> std::result::Result<ValidDoorRequest, Vec<Problem>> {
    let mut problems = Vec::new();
    let venue = Uuid::parse_str(input.venue_id.trim()).ok();
    if venue.is_none() {
        problems.push(Problem::new("door", "door-venue-unknown"));
    }
    let (from, to) = (parse_local(&input.from), parse_local(&input.to));
    match (from, to) {
        (Some(f), Some(t)) if f >= t => problems.push(Problem::new("door", "door-window-invalid")),
        (Some(f), Some(t)) if t - f > MAX_WINDOW_SECONDS => {
            problems.push(Problem::new("door", "door-window-too-long"))
        }
        // The minute now is in may end the window; a door cannot send what is not yet recorded.
        (Some(f), Some(t)) if f > now || t > now + 60 || f < now - MAX_AGE_SECONDS => {
            problems.push(Problem::new("door", "door-window-when"))
        }
        (Some(_), Some(_)) => {}
        _ => problems.push(Problem::new("door", "door-window-invalid")),
    }
    let purpose = clean(&input.purpose);
    if protocol::share::check_purpose(&purpose).is_err() {
        problems.push(Problem::new("door", "share-purpose-invalid"));
    }
    let hours = match input.hours.trim().parse::<i64>() {
        Ok(h) if (1..=MAX_EXPIRY_HOURS).contains(&h) => Some(h),
        _ => {
            problems.push(Problem::new("door", "share-hours-invalid"));
            None
        }
    };
    match (venue, from, to, hours, problems.is_empty()) {
        (Some(venue), Some(from), Some(to), Some(hours), true) => Ok(ValidDoorRequest {
            venue,
            from,
            to,
            purpose,
            hours,
        }),
        _ => Err(problems),
    }
}

/// A new request to a door, signed by the authority at `now`, with a random id and code; its
/// answer goes to this portal's guestbook address.
pub fn new_request(
    valid: &ValidDoorRequest,
    authority: &Authority,
    now: i64,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(DoorRequest, String, String)> {
    let (id, code) = super::requests::new_id_and_code(authority, rng);
    let (key, sealed_key) = authority.requests.make(rng);
    let portal = authority.settings.portal_url.trim_end_matches('/');
    let request = DoorRequest {
        id,
        upload_url: format!("{portal}/api/v1/share-requests/{code}/guestbook"),
        code,
        department: authority.settings.name.clone(),
        department_key: key.public,
        department_key_id: key.key_id(),
        venue: valid.venue,
        from: valid.from,
        to: valid.to,
        purpose: valid.purpose.clone(),
        expires: now + valid.hours * 3600,
    };
    let signed = protocol::sign_door_request(&request, &authority.key)?;
    Ok((request, signed, sealed_key))
}

/// How a person came in: the card the guard scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A chip citizen ID card (CCCD).
    IdCard,
    /// A personal card printed for someone without a phone.
    Printed,
    /// A citizen's own app showing "my code".
    App,
    /// A personal card this portal's door key does not open (another authority's, or a key
    /// since rotated away).
    Unreadable,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::IdCard => "id-card",
            Source::Printed => "printed",
            Source::App => "app",
            Source::Unreadable => "unreadable",
        }
    }
}

/// A person the door recorded, as a tracer reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub source: Source,
    pub name: String,
    /// The ID card's number, or the personal card's phone number.
    pub number: String,
    /// For an ID card: the year of birth and sex as printed; for a card, the commune's code.
    pub detail: String,
    pub address: String,
}

/// One entry of a door's guestbook, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorVisit {
    pub time_in: i64,
    pub time_out: Option<i64>,
    pub person: Person,
}

/// The request a stored door request answers, from its columns.
pub fn asked(id: &[u8; 16], venue: &str, from: i64, to: i64) -> Option<Asked> {
    Some(Asked {
        id: *id,
        venue: Uuid::parse_str(venue).ok()?,
        from,
        to,
    })
}

/// Opens a sealed guestbook with its request's key (`request_key` as the row keeps it; the
/// department key for a request made before requests had their own), then each entry with the
/// door key. `None` when the guestbook does not open for this request, or an entry does not
/// (what a door wrote opens whole, or it was not written by a door).
pub fn open(
    sealed: &[u8],
    asked: &Asked,
    request_key: Option<&str>,
    authority: &Authority,
) -> Option<Vec<DoorVisit>> {
    let secret = authority.request_secret(request_key)?;
    let guestbook = protocol::open_guestbook(sealed, asked, &secret).ok()?;
    let door = authority.door.as_ref()?.secret_bytes();
    let mut visits = Vec::with_capacity(guestbook.entries.len());
    for entry in guestbook.entries {
        let scanned = open_entry(&entry.sealed, &asked.venue, entry.time_in, &door).ok()?;
        visits.push(DoorVisit {
            time_in: entry.time_in,
            time_out: entry.time_out,
            person: person(scanned, &door),
        });
    }
    Some(visits)
}

fn person(scanned: Scanned, door: &[u8; 32]) -> Person {
    match scanned {
        Scanned::IdCard {
            number,
            name,
            born,
            sex,
            address,
        } => Person {
            source: Source::IdCard,
            name,
            number,
            detail: format!("{} · {}", born.format("%d/%m/%Y"), sex.on_card()),
            address,
        },
        Scanned::ContactCard { kid, sealed } => {
            match open_contact_card(&ContactCard { kid, sealed }, door) {
                Ok(card) => Person {
                    source: match card.source {
                        CardSource::Printed => Source::Printed,
                        CardSource::App => Source::App,
                    },
                    name: card.contact.name,
                    number: card.contact.phone,
                    detail: commune_name(card.contact.commune),
                    address: String::new(),
                },
                Err(_) => Person {
                    source: Source::Unreadable,
                    name: String::new(),
                    number: String::new(),
                    detail: kid.to_string(),
                    address: String::new(),
                },
            }
        }
    }
}

/// A personal card's commune as a tracer reads it: its name in the national list, and its code.
fn commune_name(code: u32) -> String {
    match crate::units::commune(code) {
        Some(unit) => format!("{}, {} ({code})", unit.name, unit.province),
        None => code.to_string(),
    }
}

/// The local dates a window covers, as a request's range is kept.
pub fn dates(from: i64, to: i64) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (local(from).date_naive(), local(to - 1).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::DepartmentKey;
    use crate::domain::testing::authority;
    use protocol::door::{seal_contact, seal_entry, Contact, DoorKey};
    use protocol::{Guestbook, GuestbookEntry};
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const NOW: i64 = 1_795_000_000;

    fn input(from: i64, to: i64) -> DoorRequestInput {
        DoorRequestInput {
            venue_id: Uuid::from_u128(7).to_string(),
            from: super::super::time::local_input(from),
            to: super::super::time::local_input(to),
            purpose: " Ca  12 ".into(),
            hours: "48".into(),
        }
    }

    fn messages(r: std::result::Result<ValidDoorRequest, Vec<Problem>>) -> Vec<&'static str> {
        r.unwrap_err().iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_window_has_begun_lasts_at_most_a_week_and_lies_within_sixty_days() {
        let ok = validate(&input(NOW - 7200, NOW), NOW).unwrap();
        assert_eq!(ok.purpose, "Ca 12");
        assert_eq!((ok.to - ok.from, ok.to), (7200, NOW - NOW % 60));
        assert_eq!(
            messages(validate(&input(NOW, NOW - 60), NOW)),
            ["door-window-invalid"]
        );
        assert_eq!(
            messages(validate(&input(NOW - 8 * 86400, NOW), NOW)),
            ["door-window-too-long"]
        );
        assert_eq!(
            messages(validate(&input(NOW - 60, NOW + 3600), NOW)),
            ["door-window-when"]
        );
        assert_eq!(
            messages(validate(
                &input(NOW - 61 * 86400, NOW - 60 * 86400 - 60),
                NOW
            )),
            ["door-window-when"]
        );
        let mut bad = input(NOW - 60, NOW);
        bad.venue_id = "chợ".into();
        bad.purpose = String::new();
        bad.hours = "0".into();
        assert_eq!(
            messages(validate(&bad, NOW)),
            [
                "door-venue-unknown",
                "share-purpose-invalid",
                "share-hours-invalid"
            ]
        );
    }

    #[test]
    fn a_guestbook_opens_into_the_people_the_door_recorded() {
        let mut authority = authority();
        let door_key = DepartmentKey::derive(&[5; 32]);
        let door = DoorKey::new(door_key.public);
        authority.door = Some(door_key);
        let valid = validate(&input(NOW - 7200, NOW), NOW).unwrap();
        let (request, signed, key) =
            new_request(&valid, &authority, NOW, &mut StdRng::seed_from_u64(1)).unwrap();
        assert!(request.upload_url.ends_with("/guestbook"));
        protocol::read_door_request(&signed, &authority.trust(), NOW).unwrap();
        let card = seal_contact(
            &Contact::checked("Bế Thị Lan", "0912 345 678", 1273).unwrap(),
            CardSource::Printed,
            &door,
            [4; 32],
        )
        .unwrap();
        let card = protocol::door::parse_contact_card(&card).unwrap();
        let scans = [
            Scanned::IdCard {
                number: "004090001234".into(),
                name: "Nông Văn Dũng".into(),
                born: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                sex: protocol::idcard::Sex::Male,
                address: "Phường Thục Phán".into(),
            },
            Scanned::contact_card(&card),
        ];
        let entries = scans
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let t = NOW - 3600 + i as i64;
                GuestbookEntry {
                    time_in: t,
                    time_out: None,
                    sealed: seal_entry(s, &request.venue, t, &door, [i as u8; 32]).unwrap(),
                }
            })
            .collect();
        let guestbook = Guestbook {
            request_id: request.id,
            venue: request.venue,
            app_version: "test".into(),
            entries,
        };
        let sealed = protocol::seal_guestbook(&guestbook, &request, [9; 32]).unwrap();
        let people: Vec<Person> = open(&sealed, &request.asked(), Some(&key), &authority)
            .unwrap()
            .into_iter()
            .map(|v| v.person)
            .collect();
        assert_eq!(people[0].source, Source::IdCard);
        assert_eq!(people[0].number, "004090001234");
        assert_eq!(people[0].detail, "01/01/1990 · Nam");
        assert_eq!(
            (
                people[1].source,
                people[1].name.as_str(),
                people[1].number.as_str()
            ),
            (Source::Printed, "Bế Thị Lan", "0912345678")
        );
        assert!(
            people[1].detail.starts_with("Phường Thục Phán"),
            "{}",
            people[1].detail
        );
        // Without the request's own key (the department key opens only older requests' answers),
        // without the door key, or for another window: nothing opens.
        assert_eq!(open(&sealed, &request.asked(), None, &authority), None);
        let mut other = request.asked();
        other.venue = Uuid::nil();
        assert_eq!(open(&sealed, &other, Some(&key), &authority), None);
        authority.door = None;
        assert_eq!(
            open(&sealed, &request.asked(), Some(&key), &authority),
            None
        );
    }
}
