//! `portal contact-card`: a personal card for someone without a phone, made by commune staff. The
//! person's name, phone number and commune are sealed to this authority's door key, so that the
//! guard's device that scans it can never read it; the name is printed beside the QR instead.

use std::path::Path;

use protocol::door::{seal_contact, CardSource, Contact, DoorKey};
use rand::RngCore;

use crate::authority::Authority;
use crate::units::UnitList;
use crate::{qr, Error, Result};

/// Seals the card and, with `png`, draws its QR. Returns what to print: the commune, and the
/// card's text as the last line.
pub fn make(
    data_dir: &Path,
    name: &str,
    phone: &str,
    unit: u32,
    png: Option<&Path>,
) -> Result<String> {
    let authority = Authority::load(data_dir)?;
    let door = authority
        .door
        .as_ref()
        .ok_or_else(|| Error::NoDoorKey(data_dir.to_owned()))?;
    let list = UnitList::load(authority.settings.units, authority.settings.province)?;
    let commune = list
        .commune(unit)
        .ok_or_else(|| super::not_in_list(&list, unit))?;
    let contact = Contact::checked(name, phone, unit)?;
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let text = seal_contact(
        &contact,
        CardSource::Printed,
        &DoorKey::new(door.public),
        random,
    )?;
    let mut out = format!(
        "Personal card: {}\nCommune: {} {}\n",
        contact.name, unit, commune.name
    );
    if let Some(png) = png {
        qr::write_png(&text, png, 800)?;
        out += &format!("QR image: {}\n", png.display());
    }
    out += &text;
    Ok(out)
}
